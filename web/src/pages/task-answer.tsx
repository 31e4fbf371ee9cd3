// The answer form of an open task: fields generated from its answer_schema, the role to act in
// when the person holds several of the task's roles, and Complete. A refusal is shown in the
// engine's own words: the detail in an alert, and next to the field its pointer names (focused).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { completeTask } from '../api/endpoints';
import type { Task } from '../api/types';
import { ErrorAlert } from '../components/page';
import { checklistLabels } from '../form/checklist';
import { buildForm } from '../form/model';
import { placeProblem } from '../form/pointer';
import { focusControl, hasRequired, SchemaForm } from '../form/schema-form';
import type { RawObject } from '../form/values';
import { initialRaw, toAnswer } from '../form/values';
import { announce } from '../announce';

export const ROLE_SELECT_ID = 'answer-role';

export function AnswerForm(props: {
  task: Task;
  roles: string[];
  role: string;
  onRoleChange: (role: string) => void;
  onCompleted: (task: Task) => void;
}) {
  const { task, roles, role } = props;
  const fields = useMemo(
    () =>
      buildForm(task.answer_schema, {
        labelFor: checklistLabels(task.items),
        justificationRequired: task.justification_required === true,
      }),
    [task.id],
  );
  const [raw, setRaw] = useState<RawObject>(() => initialRaw(fields));
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [roleError, setRoleError] = useState<string | undefined>();
  const [alert, setAlert] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // After a refusal: focus the first field it names (in page order).
  useEffect(() => {
    if (focusRequest === 0 || !formRef.current) return;
    const first = formRef.current.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first && first.id) focusControl(first.id);
    else first?.focus();
  }, [focusRequest]);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const { answer, errors: local } = toAnswer(fields, raw);
    setRoleError(undefined);
    if (local.size > 0) {
      setErrors(local);
      const count = local.size === 1 ? 'One answer needs' : `${local.size} answers need`;
      setAlert(new Error(`${count} attention before the task can be completed.`));
      setFocusRequest((n) => n + 1);
      return;
    }
    setBusy(true);
    setAlert(null);
    setErrors(new Map());
    announce('Completing the task…');
    try {
      const done = await completeTask(task.id, answer, roles.length > 1 ? role : undefined);
      announce('Task completed.');
      props.onCompleted(done);
    } catch (err) {
      setAlert(err);
      if (err instanceof ApiError) {
        const placed = placeProblem(err.problem, fields, raw, roles.length > 1);
        setErrors(placed.fields);
        setRoleError(placed.role);
        if (placed.role) {
          document.getElementById(ROLE_SELECT_ID)?.focus();
        } else if (placed.fields.size > 0) {
          setFocusRequest((n) => n + 1);
        }
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="answer-heading" class="panel">
      <h2 id="answer-heading">Your answer</h2>
      <form
        ref={formRef}
        onSubmit={onSubmit}
        noValidate
        aria-labelledby="answer-heading"
        data-testid="answer-form"
      >
        {roles.length > 1 ? (
          <div class="field">
            <label for={ROLE_SELECT_ID}>Act in the role</label>
            <p class="hint" id={`${ROLE_SELECT_ID}-hint`}>
              You hold several of this task's roles.
            </p>
            {roleError ? (
              <p class="field-error" id={`${ROLE_SELECT_ID}-error`}>
                <span class="visually-hidden">Error: </span>
                {roleError}
              </p>
            ) : null}
            <select
              id={ROLE_SELECT_ID}
              value={role}
              onChange={(e) => props.onRoleChange((e.currentTarget as HTMLSelectElement).value)}
              aria-describedby={`${ROLE_SELECT_ID}-hint${roleError ? ` ${ROLE_SELECT_ID}-error` : ''}`}
              aria-invalid={roleError ? true : undefined}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {fields.length === 0 ? <p>This task asks for no answer: complete it when it is done.</p> : null}
        {hasRequired(fields) ? (
          <p class="hint">
            Answers marked <span aria-hidden="true">*</span>
            <span class="visually-hidden">with an asterisk</span> are required.
          </p>
        ) : null}
        <SchemaForm fields={fields} value={raw} onChange={setRaw} errors={errors} />
        <div id="answer-alert" class="alert-slot">
          {alert ? <ErrorAlert error={alert} /> : null}
        </div>
        <div class="actions">
          <button type="submit" class="button-primary" aria-disabled={busy ? 'true' : undefined}>
            {busy ? 'Completing…' : 'Complete'}
          </button>
        </div>
      </form>
    </section>
  );
}
