// The JSON shapes the pages read, as docs/openapi.json and docs/api.md describe them (and as a
// real `coalition serve` answers). Only what the pages use is typed; unknown fields are ignored.

/** An RFC 9457 problem document, as every error of the API is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  /** JSON Pointer of the invalid value (for an answer: relative to the answer, or under /answer). */
  pointer?: string;
  problems?: ProblemItem[];
}

export interface ProblemItem {
  pointer: string;
  message: string;
}

/** GET /v1/session, POST /v1/session. */
export interface Session {
  person: string;
  organisation: string;
  roles: string[];
  scopes: string[];
  identity: string;
  csrf: string;
  expires_at?: string;
  /** What the configuration's permissions let the person do (the server checks again). */
  may?: { purge: boolean; legal_hold: boolean };
}

/** GET /v1/auth/providers. */
export interface Provider {
  id: string;
  name: string;
}

export interface ProviderList {
  providers: Provider[];
}

export type TaskStatus = 'open' | 'completed' | 'cancelled' | 'failed' | 'expired';

export interface Completion {
  actor: string;
  role: string;
  organisation?: string;
  at: string;
}

/** A task without its form: the rows of GET /v1/tasks. */
export interface TaskSummary {
  id: string;
  execution: string;
  /** "id@version". */
  workflow: string;
  /** The step's path in the execution, e.g. "report[filing]/narrative". */
  step: string;
  status: TaskStatus;
  title: string;
  roles: string[];
  organisation?: string;
  assignee?: string;
  quorum: number;
  completions: Completion[];
  created_at: string;
  /** 0 until the deadline escalates; then the escalation tier. */
  level: number;
  due?: string;
  cap?: string;
  justification_required?: boolean;
  extend_roles?: string[];
  /** How the due time was reached: "3 business days (au-national) after /input/alert_at". */
  due_rule?: string;
  /** The business-day calendar the due time was computed under (none for calendar time). */
  calendar?: string;
}

/** An item of a checklist task (the human plugin's, or the red-flag catalogue's). */
export interface ChecklistItem {
  id: string;
  text?: string;
  code?: string;
  category?: string;
}

/** GET /v1/tasks/{id}: the task with its form. */
export interface Task extends TaskSummary {
  answer_schema?: JsonSchema;
  instructions?: string;
  items?: ChecklistItem[];
}

export interface Inbox {
  tasks: TaskSummary[];
  next?: string;
}

export type ExecutionStatusName = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

export const EXECUTION_STATUSES: readonly ExecutionStatusName[] = [
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
];

export interface ExecutionSummary {
  id: string;
  workflow: string;
  version: number;
  status: ExecutionStatusName;
  started_at: string;
  updated_at: string;
  finished_at?: string;
  next_due?: string;
  initiator?: string;
}

export interface ExecutionPage {
  executions: ExecutionSummary[];
  next?: string;
}

export interface View {
  role?: string;
  clearance?: string;
}

/** GET /v1/executions/{id}: the status document (`coalition status --json`). */
export interface ExecutionStatus {
  id: string;
  /** "id@version". */
  workflow: string;
  status: ExecutionStatusName;
  initiator: string;
  started_at: string;
  updated_at: string;
  next_due?: string;
  open_tasks: Task[];
  /** Every running deadline of a step the caller sees. */
  deadlines?: Deadline[];
  /** Step paths in progress ("review", "report[filing]/narrative"), or a visibility class's words. */
  in_progress?: string[];
  output?: unknown;
  error?: unknown;
  purged?: unknown[];
  legal_hold?: unknown;
  view?: View;
}

export interface Deadline {
  step: string;
  due: string;
  cap?: string;
  /** Escalation tiers passed. */
  level: number;
  rule?: string;
  calendar?: string;
  task?: string;
}

export interface HistoryEvent {
  seq: number;
  at: string;
  type: string;
  step?: string;
  data?: Record<string, unknown>;
}

export interface History {
  id: string;
  events: HistoryEvent[];
}

export interface Timeline {
  id: string;
  workflow: string;
  entries: { at: string; text: string }[];
  view?: View;
}

export interface WorkflowSummary {
  id: string;
  version: number;
  title: string;
  description: string;
  digest: string;
}

export interface WorkflowList {
  workflows: WorkflowSummary[];
}

export interface WorkflowDocument extends WorkflowSummary {
  definition: unknown;
  /** With ?graph=json: the graph document (read with graph/model.ts readGraph). */
  graph?: unknown;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  events: number;
  head: string;
  redacted: number;
  unanchored_events: number;
  first_bad_seq?: number;
  kind?: string;
  problem?: string;
}

/** GET /v1/legal-holds. */
export interface LegalHold {
  execution: string;
  workflow?: string;
  placed_at: string;
  placed_by: string;
  role: string;
  reason: string;
  released_at?: string;
  released_by?: string;
}

export interface LegalHoldList {
  holds: LegalHold[];
  more?: boolean;
}

export interface RetentionRule {
  record_type: string;
  /** An ISO 8601 duration. */
  keep: string;
  /** completed, started, or a pointer into the execution's output. */
  from: string;
  source: string;
}

/** GET /v1/retention. */
export interface RetentionPolicies {
  installation: Record<string, unknown>;
  workflows: { workflow: string; title: string; rules: RetentionRule[]; hold?: string }[];
}

/** POST /v1/purge. */
export interface PurgeReport {
  now: string;
  dry_run: boolean;
  examined: number;
  purged: number;
  held: number;
  kept: number;
  already_purged: number;
  actions: { execution?: string; record_type?: string; action?: string; [key: string]: unknown }[];
}

/** The part of JSON Schema the answer forms understand. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}
