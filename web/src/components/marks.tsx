// Small facts about a task or execution, always in words (never colour only).
import { formatInstant, isPast } from '../time';

export function Instant(props: { value: string }) {
  return <time dateTime={props.value}>{formatInstant(props.value)}</time>;
}

export function OverdueMark() {
  return <span class="mark mark-overdue">Overdue</span>;
}

export function EscalatedMark(props: { level: number }) {
  return <span class="mark mark-escalated">Escalated (level {props.level})</span>;
}

export function ClaimedMark(props: { by: string }) {
  return <span class="mark mark-claimed">Claimed by {props.by}</span>;
}

/** A due time with "Overdue" when it has passed; "No due time" when there is none. */
export function Due(props: { value?: string | undefined; now?: Date }) {
  if (!props.value) return <span class="muted">No due time</span>;
  return (
    <span class="due">
      <Instant value={props.value} />
      {isPast(props.value, props.now) ? (
        <>
          {' '}
          <OverdueMark />
        </>
      ) : null}
    </span>
  );
}

const statusWords: Record<string, string> = {
  open: 'Open',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  expired: 'Expired',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Succeeded',
};

export function statusLabel(status: string): string {
  return statusWords[status] ?? status;
}

export function StatusBadge(props: { status: string }) {
  return (
    <span class={`status status-${props.status.replace(/[^a-z_]/g, '')}`}>{statusLabel(props.status)}</span>
  );
}
