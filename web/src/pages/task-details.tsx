// What a task is: its context, due time, roles, and the completions so far against its quorum.
import type { Task } from '../api/types';
import { Due, EscalatedMark, Instant, StatusBadge, ClaimedMark } from '../components/marks';
import { Link, paths } from '../router';

export function TaskDetails(props: { task: Task }) {
  const { task } = props;
  return (
    <section aria-labelledby="task-details-heading" class="panel">
      <h2 id="task-details-heading">Details</h2>
      <dl class="details">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={task.status} />
          {task.level > 0 ? (
            <>
              {' '}
              <EscalatedMark level={task.level} />
            </>
          ) : null}
          {task.assignee ? (
            <>
              {' '}
              <ClaimedMark by={task.assignee} />
            </>
          ) : null}
        </dd>
        <dt>Due</dt>
        <dd>
          <Due value={task.due} />
          {task.due_rule ? <div class="muted">Computed as {task.due_rule}</div> : null}
          {task.calendar ? <div class="muted">Under the {task.calendar} business-day calendar</div> : null}
        </dd>
        {task.cap ? (
          <>
            <dt>Latest possible due time</dt>
            <dd>
              <Instant value={task.cap} />
            </dd>
          </>
        ) : null}
        <dt>Roles</dt>
        <dd>{task.roles.join(', ')}</dd>
        {task.organisation ? (
          <>
            <dt>Organisation</dt>
            <dd>{task.organisation}</dd>
          </>
        ) : null}
        <dt>Workflow</dt>
        <dd>
          {task.workflow}, step <code>{task.step}</code>
        </dd>
        <dt>Execution</dt>
        <dd>
          <Link href={paths.execution(task.execution)}>{task.execution}</Link>
        </dd>
        <dt>Opened</dt>
        <dd>
          <Instant value={task.created_at} />
        </dd>
        {task.justification_required ? (
          <>
            <dt>Justification</dt>
            <dd>Required with the answer</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export function Completions(props: { task: Task }) {
  const { task } = props;
  const count = task.completions.length;
  return (
    <section aria-labelledby="task-completions-heading" class="panel">
      <h2 id="task-completions-heading">Completions</h2>
      <p>
        {count} of {task.quorum} {task.quorum === 1 ? 'completion' : 'completions'} needed
        {task.quorum > 1 ? ' (each by a different person)' : ''}.
      </p>
      {count > 0 ? (
        <ul class="plain-list">
          {task.completions.map((c, i) => (
            <li key={i}>
              {c.actor} as {c.role}
              {c.organisation ? ` (${c.organisation})` : ''}, <Instant value={c.at} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
