// /: the inbox — open tasks the person may complete, by due time, with filters and server-side
// paging. Filters and the page live in the address, so Back and a bookmark keep them.
import { useState } from 'preact/hooks';
import { listTasks } from '../api/endpoints';
import type { TaskSummary } from '../api/types';
import { ClaimedMark, Due, EscalatedMark } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, TableRegion, useDocumentTitle } from '../components/page';
import { Pager, PageSizeSelect, pageSize } from '../components/pager';
import type { Location } from '../router';
import { Link, navigate, paths, queryString } from '../router';
import { localDateToRfc3339 } from '../time';
import { useResource } from '../use-resource';


interface Filters {
  overdue: boolean;
  escalated: boolean;
  /** A date control's value, YYYY-MM-DD. */
  dueBefore: string;
  limit: number;
}

function readFilters(query: URLSearchParams): Filters {
  const limit = Number(query.get('limit'));
  return {
    overdue: query.get('overdue') === 'true',
    escalated: query.get('escalated') === 'true',
    dueBefore: query.get('due_before') ?? '',
    limit: pageSize(limit),
  };
}

function filterQuery(f: Filters): Record<string, string | undefined> {
  return {
    overdue: f.overdue ? 'true' : undefined,
    escalated: f.escalated ? 'true' : undefined,
    due_before: f.dueBefore || undefined,
    limit: f.limit !== 50 ? String(f.limit) : undefined,
  };
}

export function MyTasksPage(props: { location: Location }) {
  useDocumentTitle('My tasks');
  const { query } = props.location;
  const filters = readFilters(query);
  const cursor = query.get('cursor') ?? undefined;
  const page = Math.max(1, Number(query.get('page')) || 1);
  const resource = useResource(
    (signal) =>
      listTasks(
        {
          overdue: filters.overdue || undefined,
          escalated: filters.escalated || undefined,
          due_before: filters.dueBefore ? (localDateToRfc3339(filters.dueBefore) ?? undefined) : undefined,
          limit: filters.limit,
          cursor,
        },
        signal,
      ),
    props.location.href,
  );
  const base = filterQuery(filters);
  return (
    <>
      <PageHeading>My tasks</PageHeading>
      <TaskFilters
        key={props.location.href}
        initial={filters}
        onApply={(f) => navigate(`${paths.tasks()}${queryString(filterQuery(f))}`)}
      />
      {resource.status === 'loading' ? <Loading what="your tasks" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <>
          <TaskTable tasks={resource.data.tasks} page={page} />
          <Pager
            label="Pages of tasks"
            page={page}
            next={resource.data.next}
            onFirst={() => navigate(`${paths.tasks()}${queryString(base)}`)}
            onNext={(next) =>
              navigate(`${paths.tasks()}${queryString({ ...base, cursor: next, page: String(page + 1) })}`)
            }
          />
        </>
      ) : null}
    </>
  );
}

function TaskFilters(props: { initial: Filters; onApply: (f: Filters) => void }) {
  const [f, setF] = useState<Filters>(props.initial);
  return (
    <form
      class="filters"
      aria-label="Filter tasks"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(f);
      }}
    >
      <div class="filter-row">
        <div class="option">
          <input
            type="checkbox"
            id="filter-overdue"
            checked={f.overdue}
            onChange={(e) => setF({ ...f, overdue: (e.currentTarget as HTMLInputElement).checked })}
          />
          <label for="filter-overdue">Overdue only</label>
        </div>
        <div class="option">
          <input
            type="checkbox"
            id="filter-escalated"
            checked={f.escalated}
            onChange={(e) => setF({ ...f, escalated: (e.currentTarget as HTMLInputElement).checked })}
          />
          <label for="filter-escalated">Escalated only</label>
        </div>
        <div class="field-inline">
          <label for="filter-due-before">Due before</label>
          <input
            type="date"
            id="filter-due-before"
            value={f.dueBefore}
            onInput={(e) => setF({ ...f, dueBefore: (e.currentTarget as HTMLInputElement).value })}
          />
        </div>
        <PageSizeSelect
          id="filter-limit"
          things="Tasks"
          value={f.limit}
          onChange={(limit) => setF({ ...f, limit })}
        />
        <button type="submit" class="button-secondary">
          Apply filters
        </button>
      </div>
    </form>
  );
}

function TaskTable(props: { tasks: TaskSummary[]; page: number }) {
  const now = new Date();
  if (props.tasks.length === 0) {
    return <p class="empty">No open tasks match.</p>;
  }
  return (
    <TableRegion labelledBy="tasks-caption">
      <table class="data-table" data-testid="task-table">
        <caption id="tasks-caption">
          Open tasks you may complete, earliest due first (page {props.page})
        </caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Workflow and organisation</th>
            <th scope="col">Execution</th>
            <th scope="col">Due</th>
            <th scope="col">Marks</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <tr key={task.id}>
              <th scope="row">
                <Link href={paths.task(task.id)}>{task.title}</Link>
              </th>
              <td>
                {task.workflow}
                {task.organisation ? <span class="muted"> · {task.organisation}</span> : null}
              </td>
              <td>
                <Link href={paths.execution(task.execution)} class="mono">
                  {task.execution}
                </Link>
              </td>
              <td>
                <Due value={task.due} now={now} />
              </td>
              <td>
                <span class="marks">
                  {task.level > 0 ? <EscalatedMark level={task.level} /> : null}
                  {task.assignee ? <ClaimedMark by={task.assignee} /> : null}
                  {task.quorum > 1 ? (
                    <span class="mark">
                      {task.completions.length} of {task.quorum} completions
                    </span>
                  ) : null}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
