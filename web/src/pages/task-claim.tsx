// Claim and Release: who holds the task, and the buttons the person may use.
import { useState } from 'preact/hooks';
import { claimTask, releaseTask } from '../api/endpoints';
import type { Session, Task } from '../api/types';
import { ErrorAlert } from '../components/page';
import { canCoordinate } from '../session';
import { announce } from '../announce';

export function ClaimPanel(props: {
  task: Task;
  session: Session;
  /** The roles of the task the person holds (empty: they cannot claim it). */
  roles: string[];
  role: string;
  onChanged: (task: Task) => void;
}) {
  const { task, session, roles } = props;
  const [busy, setBusy] = useState<'claim' | 'release' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mine = task.assignee === session.person;
  const canRelease = task.assignee !== undefined && (mine || canCoordinate(session));
  const canClaim = task.assignee === undefined && roles.length > 0 && task.quorum === 1;

  const act = async (what: 'claim' | 'release') => {
    if (busy) return;
    setBusy(what);
    setError(null);
    try {
      const next =
        what === 'claim'
          ? await claimTask(task.id, roles.length > 1 ? props.role : undefined)
          : await releaseTask(task.id);
      announce(what === 'claim' ? 'You claimed the task.' : 'The task was released.');
      props.onChanged(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="claim-heading" class="panel">
      <h2 id="claim-heading">Who holds it</h2>
      {task.assignee === undefined ? (
        <p>
          Nobody has claimed this task.
          {task.quorum > 1 ? ' It needs several people, so it cannot be claimed.' : ''}
        </p>
      ) : mine ? (
        <p>You claimed this task: only you may complete it until you release it.</p>
      ) : (
        <p>Claimed by {task.assignee}: only they may complete it until it is released or handed on.</p>
      )}
      {canClaim || canRelease ? (
        <div class="actions">
          {canClaim ? (
            <button
              type="button"
              class="button-secondary"
              onClick={() => act('claim')}
              aria-disabled={busy ? 'true' : undefined}
            >
              {busy === 'claim' ? 'Claiming…' : 'Claim'}
            </button>
          ) : null}
          {canRelease ? (
            <button
              type="button"
              class="button-secondary"
              onClick={() => act('release')}
              aria-disabled={busy ? 'true' : undefined}
            >
              {busy === 'release' ? 'Releasing…' : 'Release'}
            </button>
          ) : null}
        </div>
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
    </section>
  );
}
