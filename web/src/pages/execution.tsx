// /executions/<id>: an execution's status document, its open tasks and deadlines, the workflow
// graph coloured by each step's state, and its timeline.
import { ApiError } from '../api/client';
import { getExecution } from '../api/endpoints';
import type { ExecutionStatus, Session } from '../api/types';
import { Due, Instant, StatusBadge } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { Link, paths } from '../router';
import { canCoordinate } from '../session';
import { useResource } from '../use-resource';
import { ExecutionGraph } from './execution-graph';
import { Deadlines } from './execution-deadlines';
import { OpenTasks } from './execution-tasks';
import { ExecutionTimeline } from './execution-timeline';

export function ExecutionPage(props: { id: string; session: Session }) {
  const resource = useResource((signal) => getExecution(props.id, signal), props.id);
  const notFound =
    resource.status === 'error' && resource.error instanceof ApiError && resource.error.status === 404;
  useDocumentTitle(notFound ? 'Execution not found' : `Execution ${props.id}`);
  return (
    <>
      <PageHeading>{notFound ? 'Execution not found' : `Execution ${props.id}`}</PageHeading>
      {resource.status === 'loading' ? <Loading what="the execution" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <>
          <div class="actions">
            <button type="button" class="button-secondary" onClick={resource.reload}>
              {resource.refreshing ? 'Refreshing…' : 'Refresh'}
            </button>
          </div>
          <Summary status={resource.data} />
          <OpenTasks status={resource.data} />
          <Deadlines status={resource.data} />
          <ExecutionGraph
            key={`${resource.data.id}:${resource.data.updated_at}`}
            status={resource.data}
            canSeeWorkflows={canCoordinate(props.session)}
          />
          <ExecutionTimeline id={resource.data.id} updatedAt={resource.data.updated_at} />
        </>
      ) : null}
      {notFound ? (
        <p>
          <Link href={paths.tasks()}>Back to My tasks</Link>
        </p>
      ) : null}
    </>
  );
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function Summary(props: { status: ExecutionStatus }) {
  const s = props.status;
  return (
    <section aria-labelledby="execution-summary-heading" class="panel">
      <h2 id="execution-summary-heading">Status</h2>
      <dl class="details">
        <dt>Workflow</dt>
        <dd>{s.workflow}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={s.status} />
        </dd>
        <dt>Started by</dt>
        <dd>{s.initiator}</dd>
        <dt>Started</dt>
        <dd>
          <Instant value={s.started_at} />
        </dd>
        <dt>Last change</dt>
        <dd>
          <Instant value={s.updated_at} />
        </dd>
        <dt>Next due</dt>
        <dd>{s.next_due ? <Due value={s.next_due} /> : <span class="muted">Nothing due</span>}</dd>
        {s.in_progress && s.in_progress.length > 0 ? (
          <>
            <dt>In progress</dt>
            <dd>
              <ul class="plain-list">
                {s.in_progress.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {s.view ? (
          <>
            <dt>Your view</dt>
            <dd>
              {s.view.role ? `as ${s.view.role}` : ''}
              {s.view.role && s.view.clearance ? ', ' : ''}
              {s.view.clearance ? `${s.view.clearance} clearance` : ''}
            </dd>
          </>
        ) : null}
        {s.legal_hold !== undefined && s.legal_hold !== null ? (
          <>
            <dt>Legal hold</dt>
            <dd>
              <pre class="json">{json(s.legal_hold)}</pre>
            </dd>
          </>
        ) : null}
        {s.purged && s.purged.length > 0 ? (
          <>
            <dt>Purged</dt>
            <dd>
              <pre class="json">{json(s.purged)}</pre>
            </dd>
          </>
        ) : null}
      </dl>
      {s.error !== undefined ? (
        <div class="panel-inner">
          <h3>Error</h3>
          <pre class="json">{json(s.error)}</pre>
        </div>
      ) : null}
      {s.output !== undefined ? (
        <details>
          <summary>Output</summary>
          <pre class="json">{json(s.output)}</pre>
        </details>
      ) : null}
    </section>
  );
}
