// The policy adoption matrix of one policy_update execution, read from its history (the caller's
// view of it: coordinators see every step), live while the rollout runs. (At the effective date
// the engine computes the official matrix, step `matrix`, from the members' outcomes.)
// workflows/policy_update.json runs policy_adoption once per member as the iterations of its map
// step `each_member`; each iteration's history says where that member stands:
//
//   each_member[2]/adopt(policy_adoption)/member      the member's registry record
//   each_member[2]/adopt(policy_adoption)/acknowledge the step the member is at
//   each_member[2]/adopt(policy_adoption)/overdue     missed the effective date
//                                                   (a restricted step: the secretariat's eyes)
//   each_member[2]/adopted                            its result: {status: adopted, declined
//                                                   or not_attested}
//   each_member[2]/adopt                              failed, when it failed
//   after_effective[chase]/follow_ups[0]/adopted_late  the secretariat recorded a late
//                                                   attestation: {member, status: adopted_late}
import type { HistoryEvent } from './api/types';

export const ADOPTION_WORKFLOW = 'policy_update';
/** The map step whose iterations are the members. */
export const ADOPTION_MAP_STEP = 'each_member';
const SUB = 'adopt(policy_adoption)';

export type AdoptionStatus =
  | 'adopted'
  | 'adopted_late'
  | 'declined'
  | 'overdue'
  | 'in_progress'
  | 'failed'
  | 'not_started';

export const ADOPTION_STATUSES: AdoptionStatus[] = [
  'adopted',
  'adopted_late',
  'declined',
  'overdue',
  'in_progress',
  'failed',
  'not_started',
];

export const STATUS_WORDS: Record<AdoptionStatus, string> = {
  adopted: 'Adopted',
  adopted_late: 'Adopted late',
  declined: 'Declined',
  overdue: 'Overdue',
  in_progress: 'In progress',
  failed: 'Failed',
  not_started: 'Not started',
};

/** What each step of policy_adoption means for the member's progress. */
const STAGES: Record<string, string> = {
  member: 'Starting',
  dates: 'Starting',
  spans: 'Starting',
  acknowledge: 'Acknowledging',
  exception_review: 'Exception review',
  gap_assessment: 'Gap assessment',
  draft_text: 'Drafting text',
  legal_signoff: 'Legal sign-off',
  compliance_signoff: 'Compliance sign-off',
  attest: 'Publishing and attesting',
  overdue: 'Overdue',
};

/** The workflow whose executions have an adoption matrix, as its status names it. */
export function isPolicyUpdate(workflow: string): boolean {
  return workflow.split('@')[0] === ADOPTION_WORKFLOW;
}

export interface MemberAdoption {
  index: number;
  member: string;
  name?: string;
  segment?: string;
  jurisdictions: string[];
  status: AdoptionStatus;
  /** Where it stands, in words ("Gap assessment"), while in progress. */
  stage?: string;
  /** The step path of that stage, for the execution page. */
  step?: string;
}

export interface AdoptionMatrix {
  policy?: string;
  effectiveBy?: string;
  members: MemberAdoption[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// policy_update 1 ran the map inside a parallel step: its executions are still read.
const ITERATION = /^(?:rollout\[members\]\/)?each_member\[(\d+)\]\/(.*)$/;
const LATE = /^after_effective\[chase\]\/follow_ups\[\d+\]\/adopted_late$/;

export function adoptionMatrix(events: HistoryEvent[]): AdoptionMatrix {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const out: AdoptionMatrix = { members: [] };
  const rows = new Map<number, MemberAdoption>();
  const row = (index: number): MemberAdoption => {
    let r = rows.get(index);
    if (!r) {
      r = { index, member: `member ${index + 1}`, jurisdictions: [], status: 'not_started' };
      rows.set(index, r);
    }
    return r;
  };
  for (const e of ordered) {
    if (e.type === 'execution_started' && isObject(e.data) && isObject(e.data.input)) {
      const input = e.data.input;
      out.policy = str(input.policy_change_id);
      out.effectiveBy = str(input.effective_by);
      if (Array.isArray(input.members)) {
        input.members.forEach((m, i) => {
          const id = str(m);
          if (id !== undefined) row(i).member = id;
        });
      }
      continue;
    }
    if (e.step !== undefined && LATE.test(e.step) && e.type === 'step_succeeded') {
      const output = isObject(e.data) ? e.data.output : undefined;
      const member = isObject(output) ? str(output.member) : undefined;
      for (const r of rows.values()) {
        if (r.member === member) {
          r.status = 'adopted_late';
          r.stage = undefined;
          r.step = undefined;
        }
      }
      continue;
    }
    const m = e.step === undefined ? null : ITERATION.exec(e.step);
    if (!m) continue;
    const r = row(Number(m[1]));
    const rest = m[2] as string;
    const output = isObject(e.data) ? e.data.output : undefined;
    if ((rest === 'adopt' || rest === SUB) && e.type === 'step_failed') {
      r.status = 'failed';
      r.stage = undefined;
      r.step = e.step;
      continue;
    }
    if (rest === 'adopted' && e.type === 'step_succeeded' && isObject(output)) {
      // Not attested by the effective date: its restricted overdue mark carries the status
      // (a view without it sees no status, and the member stays in progress).
      const mark = isObject(output.overdue) ? output.overdue : undefined;
      const status = str(output.status) ?? (mark ? str(mark.status) : undefined);
      if (status === 'not_attested') r.status = 'overdue';
      else r.status = status === 'adopted' || status === 'adopted_late' || status === 'declined' ? status : r.status;
      r.stage = undefined;
      r.step = undefined;
      continue;
    }
    if (!rest.startsWith(`${SUB}/`)) continue;
    const step = rest.slice(SUB.length + 1);
    if (step === 'member' && e.type === 'step_succeeded' && isObject(output)) {
      r.member = str(output.id) ?? r.member;
      r.name = str(output.name);
      r.segment = str(output.type);
      r.jurisdictions = Array.isArray(output.jurisdictions)
        ? output.jurisdictions.filter((j): j is string => typeof j === 'string')
        : [];
    }
    if (r.status === 'adopted' || r.status === 'adopted_late' || r.status === 'declined' || r.status === 'failed') {
      continue;
    }
    // Overdue is the secretariat's word, from the restricted step: a view that does not see it
    // reads the follow-up as work in progress.
    if (step === 'overdue') r.status = 'overdue';
    else if (r.status !== 'overdue') r.status = 'in_progress';
    const stage = STAGES[step];
    if (stage !== undefined && !step.includes('/')) {
      r.stage = stage;
      r.step = e.step;
    }
  }
  out.members = [...rows.values()].sort((a, b) => a.index - b.index);
  return out;
}

/** Counts of each status by a key of the member (a member in two jurisdictions counts in both). */
export function countBy(
  members: MemberAdoption[],
  keys: (m: MemberAdoption) => string[],
): Map<string, Record<AdoptionStatus, number>> {
  const out = new Map<string, Record<AdoptionStatus, number>>();
  for (const m of members) {
    const found = keys(m);
    for (const key of found.length > 0 ? found : ['Unknown']) {
      let counts = out.get(key);
      if (!counts) {
        counts = { adopted: 0, adopted_late: 0, declined: 0, overdue: 0, in_progress: 0, failed: 0, not_started: 0 };
        out.set(key, counts);
      }
      counts[m.status] += 1;
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
