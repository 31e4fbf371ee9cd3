/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptionMatrix, countBy } from '../src/adoption';
import type { HistoryEvent } from '../src/api/types';

// A policy_update history in the shape the engine records it (fictional members).
function history(): HistoryEvent[] {
  let seq = 0;
  const e = (type: string, step: string | undefined, data?: Record<string, unknown>): HistoryEvent => ({
    seq: ++seq,
    at: '2027-01-06T00:00:00Z',
    type,
    ...(step === undefined ? {} : { step }),
    ...(data === undefined ? {} : { data }),
  });
  const sub = (i: number, step: string) => `each_member[${i}]/adopt(policy_adoption)/${step}`;
  const member = (i: number, id: string, type: string, jurisdictions: string[]) =>
    e('step_succeeded', sub(i, 'member'), { output: { id, name: `${id} (fictional)`, type, jurisdictions } });
  return [
    e('execution_started', undefined, {
      input: { policy_change_id: 'PC-2026-014', effective_by: '2027-03-01T04:59:59Z', members: ['nw', 'hp', 'lu', 'qu'] },
    }),
    member(0, 'nw', 'bank', ['AU']),
    member(1, 'hp', 'payment_firm', ['AU']),
    member(2, 'lu', 'platform', ['US', 'AU']),
    e('task_created', sub(0, 'acknowledge'), { task: 't1' }),
    e('task_created', sub(1, 'acknowledge'), { task: 't2' }),
    e('step_succeeded', sub(1, 'acknowledge'), { output: { data: { response: 'decline' } } }),
    e('step_succeeded', sub(1, 'exception_done'), { output: { status: 'declined' } }),
    e('step_succeeded', 'each_member[1]/adopted', { output: { member: 'hp', status: 'declined' } }),
    e('step_succeeded', sub(0, 'acknowledge'), {}),
    e('step_scheduled', sub(0, 'gap_assessment')),
    e('task_created', sub(2, 'attest'), { task: 't3' }),
    e('deadline_expired', sub(2, 'attest'), {}),
    e('step_succeeded', sub(2, 'overdue'), { output: { overdue: true } }),
  ];
}

test('each member stands where its iteration of the rollout stands', () => {
  const m = adoptionMatrix(history().reverse()); // the order of the list does not matter: seq does
  assert.equal(m.policy, 'PC-2026-014');
  assert.equal(m.effectiveBy, '2027-03-01T04:59:59Z');
  assert.deepEqual(
    m.members.map((r) => [r.member, r.segment, r.status, r.stage]),
    [
      ['nw', 'bank', 'in_progress', 'Gap assessment'],
      ['hp', 'payment_firm', 'declined', undefined],
      ['lu', 'platform', 'overdue', 'Overdue'],
      ['qu', undefined, 'not_started', undefined],
    ],
  );
  assert.equal(m.members[0]?.step, 'each_member[0]/adopt(policy_adoption)/gap_assessment');
});

test('counts by jurisdiction count a member in each of its jurisdictions', () => {
  const m = adoptionMatrix(history());
  const byJurisdiction = countBy(m.members, (r) => r.jurisdictions);
  assert.deepEqual([...byJurisdiction.keys()], ['AU', 'Unknown', 'US']);
  assert.equal(byJurisdiction.get('AU')?.in_progress, 1);
  assert.equal(byJurisdiction.get('AU')?.declined, 1);
  assert.equal(byJurisdiction.get('AU')?.overdue, 1);
  assert.equal(byJurisdiction.get('US')?.overdue, 1);
  assert.equal(byJurisdiction.get('Unknown')?.not_started, 1);
});

test('a view without the secretariat-only overdue step reads an expired attestation as in progress', () => {
  const seen = history().filter((e) => !e.step?.endsWith('/overdue'));
  const lumen = adoptionMatrix(seen).members.find((r) => r.member === 'lu');
  assert.equal(lumen?.status, 'in_progress');
  assert.equal(lumen?.stage, 'Publishing and attesting');
});

test('at the effective date a member not attested is overdue, and adopted late once recorded', () => {
  const events = history();
  events.push({
    seq: 50,
    at: '2027-03-01T04:59:59Z',
    type: 'step_succeeded',
    step: 'each_member[2]/adopted',
    data: { output: { member: 'lu', overdue: { overdue: true, status: 'not_attested' } } },
  });
  assert.equal(adoptionMatrix(events).members[2]?.status, 'overdue');
  events.push({
    seq: 51,
    at: '2027-03-09T00:00:00Z',
    type: 'step_succeeded',
    step: 'after_effective[chase]/follow_ups[0]/adopted_late',
    data: { output: { member: 'lu', status: 'adopted_late' } },
  });
  const lumen = adoptionMatrix(events).members[2];
  assert.equal(lumen?.status, 'adopted_late');
  assert.equal(lumen?.stage, undefined);
});

test('a member whose adoption failed is shown failed, not in progress', () => {
  const events = history();
  events.push({
    seq: 100,
    at: '2027-01-07T00:00:00Z',
    type: 'step_failed',
    step: 'each_member[0]/adopt',
    data: { error: { code: 'membership.unknown_member' } },
  });
  assert.equal(adoptionMatrix(events).members[0]?.status, 'failed');
});

test('a history without the rollout has no members', () => {
  assert.deepEqual(adoptionMatrix([]).members, []);
});
