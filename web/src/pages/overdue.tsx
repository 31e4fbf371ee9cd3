// /overdue (coordinators): executions across every member with a task past its due time, or with
// a task whose deadline has escalated (?show=escalated), newest first.
import { listExecutions } from '../api/endpoints';
import { ExecutionTable } from '../components/execution-table';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { Pager } from '../components/pager';
import type { Location } from '../router';
import { Link, navigate, paths, queryString } from '../router';
import { useResource } from '../use-resource';

type Show = 'overdue' | 'escalated';

const WORDS: Record<Show, { label: string; lede: string; caption: string }> = {
  overdue: {
    label: 'Overdue',
    lede: 'Executions with an open task past its due time, across every member, newest first.',
    caption: 'Overdue executions',
  },
  escalated: {
    label: 'Escalated',
    lede: 'Executions with an open task whose deadline has escalated to another tier, across every member, newest first.',
    caption: 'Executions with an escalated task',
  },
};

export function OverduePage(props: { location: Location }) {
  useDocumentTitle('Overdue and escalated');
  const { query } = props.location;
  const show: Show = query.get('show') === 'escalated' ? 'escalated' : 'overdue';
  const cursor = query.get('cursor') ?? undefined;
  const page = Math.max(1, Number(query.get('page')) || 1);
  const resource = useResource(
    (signal) =>
      listExecutions(show === 'escalated' ? { escalated: true, limit: 50, cursor } : { overdue: true, limit: 50, cursor }, signal),
    props.location.href,
  );
  const here = (extra: Record<string, string | undefined>) =>
    `${paths.overdue()}${queryString({ show: show === 'escalated' ? 'escalated' : undefined, ...extra })}`;
  return (
    <>
      <PageHeading>Overdue and escalated</PageHeading>
      <nav aria-label="Which executions" class="tabs">
        <ul>
          {(['overdue', 'escalated'] as Show[]).map((which) => (
            <li key={which}>
              <Link
                href={`${paths.overdue()}${queryString({ show: which === 'escalated' ? 'escalated' : undefined })}`}
                aria-current={which === show ? 'page' : undefined}
              >
                {WORDS[which].label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p class="lede">{WORDS[show].lede} Open an execution for its tasks, deadlines and escalation levels.</p>
      {resource.status === 'loading' ? <Loading what={`${WORDS[show].label.toLowerCase()} executions`} /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <>
          <ExecutionTable
            id="overdue-caption"
            executions={resource.data.executions}
            caption={`${WORDS[show].caption} (page ${page})`}
          />
          <Pager
            label={`Pages of ${WORDS[show].label.toLowerCase()} executions`}
            page={page}
            next={resource.data.next}
            onFirst={() => navigate(here({}))}
            onNext={(next) => navigate(here({ cursor: next, page: String(page + 1) }))}
          />
        </>
      ) : null}
    </>
  );
}
