// /overdue (coordinators): executions with a deadline that has passed. The executions API has
// no escalation filter yet; each execution's page shows its tasks' escalation levels.
import { listExecutions } from '../api/endpoints';
import { ExecutionTable } from '../components/execution-table';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { Pager } from '../components/pager';
import type { Location } from '../router';
import { navigate, paths, queryString } from '../router';
import { useResource } from '../use-resource';

export function OverduePage(props: { location: Location }) {
  useDocumentTitle('Overdue and escalated');
  const { query } = props.location;
  const cursor = query.get('cursor') ?? undefined;
  const page = Math.max(1, Number(query.get('page')) || 1);
  const resource = useResource(
    (signal) => listExecutions({ overdue: true, limit: 50, cursor }, signal),
    props.location.href,
  );
  return (
    <>
      <PageHeading>Overdue and escalated</PageHeading>
      <p class="lede">
        Executions with a task or timer past its due time, newest first. Open an execution to see its tasks'
        escalation levels.
      </p>
      {resource.status === 'loading' ? <Loading what="overdue executions" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <>
          <ExecutionTable
            id="overdue-caption"
            executions={resource.data.executions}
            caption={`Overdue executions (page ${page})`}
          />
          <Pager
            label="Pages of overdue executions"
            page={page}
            next={resource.data.next}
            onFirst={() => navigate(paths.overdue())}
            onNext={(next) =>
              navigate(`${paths.overdue()}${queryString({ cursor: next, page: String(page + 1) })}`)
            }
          />
        </>
      ) : null}
    </>
  );
}
