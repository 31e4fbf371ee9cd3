// Each step's state, from the execution's history (through the caller's view) and the status
// document's `in_progress`, keyed by the graph's node ids.
//
// Step paths in the history and the status document: "review", "report[filing]/narrative" (a
// parallel step's branch), "notify_members[2]/send" (a map's iteration). The graph names the
// same steps n_review, n_report__filing__narrative and n_notify_members__each__send.
import type { ExecutionStatus, HistoryEvent } from '../api/types';

export type StepState = 'done' | 'running' | 'failed' | 'cancelled' | 'not-reached';

export const STATE_WORDS: Record<StepState, string> = {
  done: 'done',
  running: 'running or waiting',
  failed: 'failed',
  cancelled: 'cancelled',
  'not-reached': 'not reached',
};

export const STATE_ORDER: StepState[] = ['done', 'running', 'failed', 'cancelled', 'not-reached'];

const START = 'n___start';
const END = 'n___end';

/** "report[filing]/narrative" -> "n_report__filing__narrative"; null if it is no step path. */
export function nodeIdForStep(path: string): string | null {
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    const m = /^([a-z][a-z0-9_]*)(?:\[([^\]]+)\])?$/.exec(segment);
    if (!m) return null;
    parts.push(m[1] as string);
    if (m[2] !== undefined) parts.push(/^\d+$/.test(m[2]) ? 'each' : m[2]);
  }
  return parts.length > 0 ? `n_${parts.join('__')}` : null;
}

const EVENT_STATE: Record<string, StepState> = {
  step_scheduled: 'running',
  attempt_started: 'running',
  retry_scheduled: 'running',
  step_suspended: 'running',
  wait_started: 'running',
  step_succeeded: 'done',
  branch_taken: 'done',
  step_failed: 'failed',
};

/** When a step runs more than once (a map's iterations), the state that matters most wins. */
const PRIORITY: Record<StepState, number> = {
  running: 4,
  failed: 3,
  cancelled: 2,
  done: 1,
  'not-reached': 0,
};

export function stepStates(events: HistoryEvent[], status: ExecutionStatus): Map<string, StepState> {
  // The latest state of each step path (a step run again after a loop starts over).
  const byPath = new Map<string, StepState>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const next = EVENT_STATE[event.type];
    if (event.step && next) byPath.set(event.step, next);
  }
  const active = status.status === 'running' || status.status === 'waiting';
  if (active) for (const path of status.in_progress ?? []) byPath.set(path, 'running');
  if (status.status === 'cancelled') {
    for (const [path, state] of byPath) if (state === 'running') byPath.set(path, 'cancelled');
  }

  const byNode = new Map<string, StepState>();
  for (const [path, state] of byPath) {
    const id = nodeIdForStep(path);
    if (id === null) continue;
    const before = byNode.get(id);
    if (before === undefined || PRIORITY[state] > PRIORITY[before]) byNode.set(id, state);
  }
  if (events.length > 0 || active) byNode.set(START, 'done');
  if (status.status === 'succeeded') byNode.set(END, 'done');
  if (status.status === 'failed') byNode.set(END, 'failed');
  if (status.status === 'cancelled') byNode.set(END, 'cancelled');
  return byNode;
}

/** A branch's "joined" node (n_report__filing____done) is done once its step is. */
export function joinedOwner(id: string): string | null {
  if (!id.endsWith('____done')) return null;
  const inner = id.slice(0, -'____done'.length);
  const at = inner.lastIndexOf('__');
  return at > 0 ? inner.slice(0, at) : null;
}

export function stateOf(id: string, states: Map<string, StepState>): StepState {
  const own = states.get(id);
  if (own) return own;
  const owner = joinedOwner(id);
  if (owner && states.get(owner) === 'done') return 'done';
  return 'not-reached';
}
