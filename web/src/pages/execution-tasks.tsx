// An execution's open tasks and their due times (from the status document's open_tasks).
import type { ExecutionStatus } from '../api/types';
import { ClaimedMark, Due, EscalatedMark, Instant } from '../components/marks';
import { TableRegion } from '../components/page';
import { Link, paths } from '../router';

export function OpenTasks(props: { status: ExecutionStatus }) {
  const tasks = props.status.open_tasks;
  const now = new Date();
  return (
    <section aria-labelledby="open-tasks-heading" class="panel">
      <h2 id="open-tasks-heading">Open tasks</h2>
      {tasks.length === 0 ? (
        <p class="empty">No open tasks{props.status.in_progress?.length ? ' that you may see' : ''}.</p>
      ) : (
        <TableRegion labelledBy="open-tasks-caption">
          <table class="data-table" data-testid="open-tasks">
            <caption id="open-tasks-caption">Open tasks of this execution</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Step</th>
                <th scope="col">Roles</th>
                <th scope="col">Due</th>
                <th scope="col">Latest possible</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => (
                <tr key={task.id}>
                  <th scope="row">
                    <Link href={paths.task(task.id)}>{task.title}</Link>
                  </th>
                  <td>
                    <code>{task.step}</code>
                  </td>
                  <td>
                    {task.roles.join(', ')}
                    {task.organisation ? <span class="muted"> ({task.organisation})</span> : null}
                  </td>
                  <td>
                    <Due value={task.due} now={now} />
                    {task.due_rule ? <div class="muted">{task.due_rule}</div> : null}
                  </td>
                  <td>{task.cap ? <Instant value={task.cap} /> : <span class="muted">No cap</span>}</td>
                  <td>
                    <span class="marks">
                      <span class="mark">
                        {task.completions.length} of {task.quorum}
                      </span>
                      {task.level > 0 ? <EscalatedMark level={task.level} /> : null}
                      {task.assignee ? <ClaimedMark by={task.assignee} /> : null}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
