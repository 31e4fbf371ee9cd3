// /tasks/<id>: one task — details, instructions, completions, claim and release, and the
// answer form; after completing it, "Completed" with the task's new state.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { getTask } from '../api/endpoints';
import type { Session, Task } from '../api/types';
import { StatusBadge } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { Link, paths } from '../router';
import { useResource } from '../use-resource';
import { AnswerForm } from './task-answer';
import { ClaimPanel } from './task-claim';
import { Completions, TaskDetails } from './task-details';

export function TaskPage(props: { id: string; session: Session }) {
  const resource = useResource((signal) => getTask(props.id, signal), props.id);
  const title =
    resource.status === 'ok'
      ? resource.data.title
      : resource.status === 'error' && resource.error instanceof ApiError && resource.error.status === 404
        ? 'Task not found'
        : 'Task';
  useDocumentTitle(title);
  // One heading for every state, so the element the shell focused stays in place.
  return (
    <>
      <PageHeading>{title}</PageHeading>
      {resource.status === 'loading' ? <Loading what="the task" /> : null}
      {resource.status === 'error' ? (
        <>
          <ErrorAlert error={resource.error} onRetry={resource.reload} />
          <p>
            <Link href={paths.tasks()}>Back to My tasks</Link>
          </p>
        </>
      ) : null}
      {resource.status === 'ok' ? (
        <TaskView key={resource.data.id} initial={resource.data} session={props.session} />
      ) : null}
    </>
  );
}

/** The roles of the task that the person holds, in the task's order (the server's default first). */
export function eligibleRoles(task: Task, session: Session): string[] {
  const mine = new Set(session.roles.map((r) => r.trim()));
  return task.roles.filter((r) => mine.has(r.trim()));
}

function TaskView(props: { initial: Task; session: Session }) {
  const { session } = props;
  const [task, setTask] = useState<Task>(props.initial);
  const [completed, setCompleted] = useState(false);
  const roles = eligibleRoles(task, session);
  const [role, setRole] = useState<string>(roles[0] ?? '');
  const doneHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (completed) doneHeading.current?.focus();
  }, [completed]);

  const onCompleted = async (answered: Task) => {
    // The answer is the task once the completion is committed; read it again for the state the
    // engine has moved it to since (completed, or still open for more completions).
    let latest = answered;
    try {
      latest = await getTask(answered.id);
    } catch {
      // Not visible any more, or not reachable: what the completion answered is enough.
    }
    setTask(latest);
    setCompleted(true);
  };

  const open = task.status === 'open';
  const claimedByOther = task.assignee !== undefined && task.assignee !== session.person;
  return (
    <>
      <p class="lede">
        {task.workflow} · {task.organisation ?? 'any organisation'}
      </p>
      {completed ? (
        <section aria-labelledby="done-heading" class="panel panel-success" data-testid="completed">
          <h2 id="done-heading" tabIndex={-1} ref={doneHeading}>
            Completed
          </h2>
          <p>
            Your answer was recorded. The task is now <StatusBadge status={task.status} />
            {task.status === 'open'
              ? `: ${task.completions.length} of ${task.quorum} completions so far.`
              : '.'}
          </p>
          <p>
            <Link href={paths.tasks()}>Back to My tasks</Link>
          </p>
        </section>
      ) : null}
      <TaskDetails task={task} />
      {task.instructions ? (
        <section aria-labelledby="instructions-heading" class="panel">
          <h2 id="instructions-heading">Instructions</h2>
          <p class="instructions">{task.instructions}</p>
        </section>
      ) : null}
      <Completions task={task} />
      {open && !completed ? (
        <>
          <ClaimPanel task={task} session={session} roles={roles} role={role} onChanged={setTask} />
          {roles.length === 0 ? (
            <p class="notice">
              You hold none of this task's roles ({task.roles.join(', ')}): you can read it but not complete
              it.
            </p>
          ) : claimedByOther ? (
            <p class="notice">
              {task.assignee} holds this task: only they may complete it until it is released.
            </p>
          ) : (
            <AnswerForm
              task={task}
              roles={roles}
              role={role}
              onRoleChange={setRole}
              onCompleted={onCompleted}
            />
          )}
        </>
      ) : !completed ? (
        <p class="notice">
          This task is {task.status}: there is nothing more to do here.{' '}
          <Link href={paths.tasks()}>Back to My tasks</Link>
        </p>
      ) : null}
    </>
  );
}
