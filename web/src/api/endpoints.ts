// Each route the pages use, typed. docs/api.md is the contract.
import { apiGet, apiPost, seg } from './client';
import type {
  AuditVerification,
  ExecutionPage,
  ExecutionStatus,
  History,
  Inbox,
  LegalHoldList,
  ProviderList,
  PurgeReport,
  RetentionPolicies,
  Session,
  Task,
  Timeline,
  WorkflowDocument,
  WorkflowList,
} from './types';

type Signal = AbortSignal | undefined;

export const getSession = (signal?: Signal) =>
  apiGet<Session>('/v1/session', { signal, redirectOn401: false });

export const signInWithToken = (token: string) =>
  apiPost<Session>('/v1/session', { token }, { redirectOn401: false });

export const endSession = () => apiPost<unknown>('/v1/session/end', {}, { redirectOn401: false });

export const getProviders = (signal?: Signal) =>
  apiGet<ProviderList>('/v1/auth/providers', { signal, redirectOn401: false });

/** The full-page address that signs in with an identity provider. */
export const providerLoginUrl = (id: string) => `/v1/auth/oidc/${seg(id)}/login`;

export interface TaskQuery {
  overdue?: boolean;
  escalated?: boolean;
  due_before?: string;
  limit?: number;
  cursor?: string;
}

export const listTasks = (query: TaskQuery, signal?: Signal) =>
  apiGet<Inbox>('/v1/tasks', { query: { ...query }, signal });

export const getTask = (id: string, signal?: Signal) => apiGet<Task>(`/v1/tasks/${seg(id)}`, { signal });

export const completeTask = (id: string, answer: unknown, role?: string) =>
  apiPost<Task>(`/v1/tasks/${seg(id)}/complete`, role ? { answer, role } : { answer });

export const claimTask = (id: string, role?: string) =>
  apiPost<Task>(`/v1/tasks/${seg(id)}/claim`, role ? { role } : {});

export const releaseTask = (id: string) => apiPost<Task>(`/v1/tasks/${seg(id)}/release`, {});

export interface ExecutionQuery {
  workflow?: string;
  /** Comma-separated statuses. */
  status?: string;
  organisation?: string;
  started_from?: string;
  started_until?: string;
  overdue?: boolean;
  escalated?: boolean;
  limit?: number;
  cursor?: string;
}

export const listExecutions = (query: ExecutionQuery, signal?: Signal) =>
  apiGet<ExecutionPage>('/v1/executions', { query: { ...query }, signal });

export const getExecution = (id: string, signal?: Signal) =>
  apiGet<ExecutionStatus>(`/v1/executions/${seg(id)}`, { signal });

export const getTimeline = (id: string, signal?: Signal) =>
  apiGet<Timeline>(`/v1/executions/${seg(id)}/timeline`, { signal });

export const getHistory = (id: string, signal?: Signal) =>
  apiGet<History>(`/v1/executions/${seg(id)}/history`, { signal });

export const listWorkflows = (signal?: Signal) => apiGet<WorkflowList>('/v1/workflows', { signal });

export const getWorkflowGraph = (id: string, version: number | undefined, signal?: Signal) =>
  apiGet<WorkflowDocument>(`/v1/workflows/${seg(id)}`, {
    query: { graph: 'json', version },
    signal,
  });

export const listLegalHolds = (released: boolean, signal?: Signal) =>
  apiGet<LegalHoldList>('/v1/legal-holds', { query: { released: released || undefined }, signal });

export const getRetention = (signal?: Signal) => apiGet<RetentionPolicies>('/v1/retention', { signal });

export const purge = (dryRun: boolean) => apiPost<PurgeReport>('/v1/purge', { dry_run: dryRun });

export const verifyAudit = (signal?: Signal) => apiGet<AuditVerification>('/v1/audit/verify', { signal });
