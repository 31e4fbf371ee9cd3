/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutionStatus, HistoryEvent } from '../src/api/types';
import { nodeIdForStep, stateOf, stepStates } from '../src/graph/state';

test('step paths name the graph nodes', () => {
  assert.equal(nodeIdForStep('review'), 'n_review');
  assert.equal(nodeIdForStep('report[filing]/narrative'), 'n_report__filing__narrative');
  assert.equal(nodeIdForStep('notify_members[3]/send'), 'n_notify_members__each__send');
  assert.equal(
    nodeIdForStep('report[filing]/signoff_window[signoff]/signoff'),
    'n_report__filing__signoff_window__signoff__signoff',
  );
  assert.equal(nodeIdForStep('compliance review in progress'), null);
});

const status = (over: Partial<ExecutionStatus>): ExecutionStatus => ({
  id: 'ex-1',
  workflow: 'w@1',
  status: 'waiting',
  initiator: 'sam',
  started_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  open_tasks: [],
  ...over,
});

let seq = 0;
const ev = (type: string, step?: string): HistoryEvent => ({
  seq: ++seq,
  at: '2026-12-01T00:00:00Z',
  type,
  step,
});

test('states from the history and in_progress', () => {
  const events = [
    ev('execution_started'),
    ev('step_scheduled', 'prepare'),
    ev('step_succeeded', 'prepare'),
    ev('step_scheduled', 'route'),
    ev('branch_taken', 'route'),
    ev('step_scheduled', 'notify[0]/send'),
    ev('step_scheduled', 'notify[1]/send'),
    ev('step_succeeded', 'notify[0]/send'),
    ev('step_scheduled', 'check'),
    ev('step_failed', 'check'),
  ];
  const states = stepStates(events, status({ in_progress: ['notify'] }));
  assert.equal(states.get('n___start'), 'done');
  assert.equal(states.get('n_prepare'), 'done');
  assert.equal(states.get('n_route'), 'done');
  assert.equal(states.get('n_notify__each__send'), 'running', 'one iteration still runs');
  assert.equal(states.get('n_notify'), 'running');
  assert.equal(states.get('n_check'), 'failed');
  assert.equal(stateOf('n_later', states), 'not-reached');
  assert.equal(stateOf('n___end', states), 'not-reached');
});

test('a finished execution: the end node and the joins', () => {
  const events = [ev('step_scheduled', 'report'), ev('step_succeeded', 'report')];
  const states = stepStates(events, status({ status: 'succeeded' }));
  assert.equal(states.get('n___end'), 'done');
  assert.equal(stateOf('n_report__filing____done', states), 'done');
});

test('a cancelled execution: what was running is cancelled', () => {
  const states = stepStates([ev('step_scheduled', 'review')], status({ status: 'cancelled' }));
  assert.equal(states.get('n_review'), 'cancelled');
  assert.equal(states.get('n___end'), 'cancelled');
});
