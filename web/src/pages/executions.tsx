// /executions (coordinators): search executions by workflow, status, organisation, start
// time, lateness and escalation, newest first, with cursor paging. The search lives in the address.
import { useState } from 'preact/hooks';
import { listExecutions, listWorkflows } from '../api/endpoints';
import type { ExecutionStatusName } from '../api/types';
import { EXECUTION_STATUSES } from '../api/types';
import { ExecutionTable } from '../components/execution-table';
import { statusLabel } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { Pager, PageSizeSelect, pageSize } from '../components/pager';
import type { Location } from '../router';
import { navigate, paths, queryString } from '../router';
import { localDateToRfc3339 } from '../time';
import { useResource } from '../use-resource';


interface Search {
  workflow: string;
  statuses: ExecutionStatusName[];
  organisation: string;
  startedFrom: string;
  startedUntil: string;
  overdue: boolean;
  escalated: boolean;
  limit: number;
}

function readSearch(query: URLSearchParams): Search {
  const limit = Number(query.get('limit'));
  const statuses = (query.get('status') ?? '')
    .split(',')
    .filter((s): s is ExecutionStatusName => (EXECUTION_STATUSES as readonly string[]).includes(s));
  return {
    workflow: query.get('workflow') ?? '',
    statuses,
    organisation: query.get('organisation') ?? '',
    startedFrom: query.get('started_from') ?? '',
    startedUntil: query.get('started_until') ?? '',
    overdue: query.get('overdue') === 'true',
    escalated: query.get('escalated') === 'true',
    limit: pageSize(limit),
  };
}

function searchQuery(s: Search): Record<string, string | undefined> {
  return {
    workflow: s.workflow.trim() || undefined,
    status: s.statuses.length > 0 ? s.statuses.join(',') : undefined,
    organisation: s.organisation.trim() || undefined,
    started_from: s.startedFrom || undefined,
    started_until: s.startedUntil || undefined,
    overdue: s.overdue ? 'true' : undefined,
    escalated: s.escalated ? 'true' : undefined,
    limit: s.limit !== 50 ? String(s.limit) : undefined,
  };
}

export function ExecutionsPage(props: { location: Location }) {
  useDocumentTitle('Executions');
  const { query } = props.location;
  const search = readSearch(query);
  const cursor = query.get('cursor') ?? undefined;
  const page = Math.max(1, Number(query.get('page')) || 1);
  const resource = useResource(
    (signal) =>
      listExecutions(
        {
          workflow: search.workflow || undefined,
          status: search.statuses.join(',') || undefined,
          organisation: search.organisation || undefined,
          started_from: search.startedFrom
            ? (localDateToRfc3339(search.startedFrom) ?? undefined)
            : undefined,
          // "Until" is exclusive on the server: the day after the chosen one includes it.
          started_until: search.startedUntil
            ? (localDateToRfc3339(search.startedUntil, 1) ?? undefined)
            : undefined,
          overdue: search.overdue || undefined,
          escalated: search.escalated || undefined,
          limit: search.limit,
          cursor,
        },
        signal,
      ),
    props.location.href,
  );
  const base = searchQuery(search);
  const workflows = useResource((signal) => listWorkflows(signal), 'workflows');
  const workflowIds =
    workflows.status === 'ok' ? [...new Set(workflows.data.workflows.map((w) => w.id))].sort() : [];
  return (
    <>
      <PageHeading>Executions</PageHeading>
      <ExecutionSearch
        key={props.location.href}
        workflowIds={workflowIds}
        initial={search}
        onApply={(s) => navigate(`${paths.executions()}${queryString(searchQuery(s))}`)}
      />
      {resource.status === 'loading' ? <Loading what="executions" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <>
          <ExecutionTable
            id="executions-caption"
            executions={resource.data.executions}
            caption={`Executions, newest first (page ${page})`}
          />
          <Pager
            label="Pages of executions"
            page={page}
            next={resource.data.next}
            onFirst={() => navigate(`${paths.executions()}${queryString(base)}`)}
            onNext={(next) =>
              navigate(
                `${paths.executions()}${queryString({ ...base, cursor: next, page: String(page + 1) })}`,
              )
            }
          />
        </>
      ) : null}
    </>
  );
}

function ExecutionSearch(props: { initial: Search; workflowIds: string[]; onApply: (s: Search) => void }) {
  const [s, setS] = useState<Search>(props.initial);
  const toggle = (status: ExecutionStatusName, on: boolean) =>
    setS({
      ...s,
      statuses: EXECUTION_STATUSES.filter((x) => (x === status ? on : s.statuses.includes(x))),
    });
  return (
    <form
      class="filters"
      role="search"
      aria-label="Search executions"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(s);
      }}
    >
      <div class="filter-row">
        <div class="field-inline">
          <label for="search-workflow">Workflow id</label>
          <input
            type="search"
            id="search-workflow"
            aria-describedby="search-workflow-hint"
            list="workflow-ids"
            value={s.workflow}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setS({ ...s, workflow: (e.currentTarget as HTMLInputElement).value })}
          />
          <span class="hint" id="search-workflow-hint">
            The exact id, such as aml_review
          </span>
          <datalist id="workflow-ids">
            {props.workflowIds.map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
        </div>
        <div class="field-inline">
          <label for="search-organisation">Organisation</label>
          <input
            type="text"
            id="search-organisation"
            value={s.organisation}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setS({ ...s, organisation: (e.currentTarget as HTMLInputElement).value })}
          />
        </div>
        <div class="field-inline">
          <label for="search-started-from">Started on or after</label>
          <input
            type="date"
            id="search-started-from"
            value={s.startedFrom}
            onInput={(e) => setS({ ...s, startedFrom: (e.currentTarget as HTMLInputElement).value })}
          />
        </div>
        <div class="field-inline">
          <label for="search-started-until">Started on or before</label>
          <input
            type="date"
            id="search-started-until"
            value={s.startedUntil}
            onInput={(e) => setS({ ...s, startedUntil: (e.currentTarget as HTMLInputElement).value })}
          />
        </div>
      </div>
      <div class="filter-row">
        <fieldset class="inline-group">
          <legend>Status</legend>
          {EXECUTION_STATUSES.map((status) => (
            <div class="option" key={status}>
              <input
                type="checkbox"
                id={`search-status-${status}`}
                checked={s.statuses.includes(status)}
                onChange={(e) => toggle(status, (e.currentTarget as HTMLInputElement).checked)}
              />
              <label for={`search-status-${status}`}>{statusLabel(status)}</label>
            </div>
          ))}
        </fieldset>
        <div class="option">
          <input
            type="checkbox"
            id="search-overdue"
            checked={s.overdue}
            onChange={(e) => setS({ ...s, overdue: (e.currentTarget as HTMLInputElement).checked })}
          />
          <label for="search-overdue">Overdue only</label>
        </div>
        <div class="option">
          <input
            type="checkbox"
            id="search-escalated"
            checked={s.escalated}
            onChange={(e) => setS({ ...s, escalated: (e.currentTarget as HTMLInputElement).checked })}
          />
          <label for="search-escalated">Escalated only</label>
        </div>
        <PageSizeSelect
          id="search-limit"
          things="Executions"
          value={s.limit}
          onChange={(limit) => setS({ ...s, limit })}
        />
        <button type="submit" class="button-secondary">
          Search
        </button>
      </div>
    </form>
  );
}
