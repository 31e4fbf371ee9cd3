// The controls for a task's answer, drawn from the field tree of model.ts. Every control has a
// label; hints and errors are tied to it with aria-describedby; an error sets aria-invalid.
// No native validation: the engine judges the answer and its words are shown (see pages/task).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Field } from './model';
import { escapePointer } from './model';
import { errorId, fieldId, hintId } from './pointer';
import type { Raw, RawObject } from './values';
import { initialFieldRaw, isRawObject, setIn } from './values';
import { browserTimeZone } from '../time';

type Path = (string | number)[];

interface Ctx {
  errors: Map<string, string>;
  set: (path: Path, value: Raw) => void;
  /** Focus this control after the next render (a list's new item). */
  focusLater: (id: string) => void;
}

/** Whether any field (at any depth) is required: the form then explains the asterisk. */
export function hasRequired(fields: Field[]): boolean {
  return fields.some(
    (f) =>
      f.required ||
      (f.kind === 'object' && hasRequired(f.fields)) ||
      (f.kind === 'list' && hasRequired([f.item])),
  );
}

export function SchemaForm(props: {
  fields: Field[];
  value: RawObject;
  onChange: (value: RawObject) => void;
  errors: Map<string, string>;
}) {
  const { fields, value, onChange, errors } = props;
  const pendingFocus = useRef<string | null>(null);
  useEffect(() => {
    const id = pendingFocus.current;
    if (!id) return;
    pendingFocus.current = null;
    focusControl(id);
  });
  const ctx: Ctx = {
    errors,
    set: (path, v) => onChange(setIn(value, path, v) as RawObject),
    focusLater: (id) => {
      pendingFocus.current = id;
    },
  };
  return (
    <div class="schema-form">
      {fields.map((field) => (
        <FieldView
          key={field.name}
          field={field}
          pointer={`/${escapePointer(field.name)}`}
          path={[field.name]}
          raw={value[field.name]}
          ctx={ctx}
        />
      ))}
    </div>
  );
}

/** Focuses the control with this id, or the first control inside a group with it. */
export function focusControl(id: string): boolean {
  const el = document.getElementById(id);
  if (!el) return false;
  const target =
    el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement
      ? el
      : (el.querySelector<HTMLElement>('input[type="radio"]:checked') ??
        el.querySelector<HTMLElement>('input, select, textarea, button'));
  (target ?? el).focus();
  return true;
}

interface ViewProps {
  field: Field;
  pointer: string;
  path: Path;
  raw: Raw;
  ctx: Ctx;
  /** A list item's label ("Evidence 2") instead of the field's. */
  label?: string;
  /** Extra controls after the field (a list item's Remove button). */
  extra?: ComponentChildren;
}

/**
 * A visible asterisk; assistive technology hears "required" from aria-required (controls and
 * radio groups) or from the hint (other groups), so a control's name is exactly its label.
 */
function RequiredMark(props: { field: Field }) {
  const { field } = props;
  if (!field.required || field.kind === 'boolean') return null;
  return (
    <span class="required" aria-hidden="true">
      {' '}
      *
    </span>
  );
}

/**
 * Groups (fieldsets) cannot carry aria-required: they say it in their hint. An object's own
 * fields say what in it is required.
 */
function isPlainGroup(field: Field): boolean {
  return (
    field.kind === 'list' ||
    field.kind === 'multi-choice' ||
    (field.kind === 'choice' && field.widget === 'radio')
  );
}

function hintText(field: Field): string[] {
  const parts: string[] = [];
  if (field.required && isPlainGroup(field)) parts.push('Required.');
  if (field.description) parts.push(field.description);
  if (field.requiredWhen) parts.push(`${field.requiredWhen}.`);
  if (field.kind === 'text') {
    if (field.pattern === '^https://') parts.push('An https:// address.');
    else if (field.pattern) parts.push(`Must match the pattern ${field.pattern}`);
    if (field.minLength && field.minLength > 1) parts.push(`At least ${field.minLength} characters.`);
    // Long limits are no news (the control enforces them anyway); short ones are.
    if (field.maxLength && field.maxLength < 1000) parts.push(`Up to ${field.maxLength} characters.`);
  }
  if (field.kind === 'datetime') parts.push(`In your time zone (${browserTimeZone()}).`);
  if (field.kind === 'number') {
    if (field.minimum !== undefined && field.maximum !== undefined) {
      parts.push(`From ${field.minimum} to ${field.maximum}.`);
    } else if (field.minimum !== undefined) parts.push(`At least ${field.minimum}.`);
    else if (field.maximum !== undefined) parts.push(`At most ${field.maximum}.`);
  }
  if (field.kind === 'json') parts.push('A JSON value.');
  if (field.kind === 'list' && field.minItems) parts.push(`At least ${field.minItems}.`);
  return parts;
}

function describedBy(pointer: string, hasHint: boolean, hasError: boolean): string | undefined {
  const ids = [hasHint ? hintId(pointer) : '', hasError ? errorId(pointer) : ''].filter((s) => s !== '');
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function Hint(props: { pointer: string; parts: string[] }) {
  if (props.parts.length === 0) return null;
  return (
    <p class="hint" id={hintId(props.pointer)}>
      {props.parts.join(' ')}
    </p>
  );
}

/** A fieldset's legend (with the required mark), then its hint and its error. */
function GroupHeading(props: {
  label: string;
  field: Field;
  pointer: string;
  hints: string[];
  error: string | undefined;
}) {
  return (
    <>
      <legend>
        {props.label}
        <RequiredMark field={props.field} />
      </legend>
      <Hint pointer={props.pointer} parts={props.hints} />
      <FieldError pointer={props.pointer} message={props.error} />
    </>
  );
}

function FieldError(props: { pointer: string; message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p class="field-error" id={errorId(props.pointer)}>
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  );
}

function text(raw: Raw): string {
  return typeof raw === 'string' ? raw : '';
}

function FieldView(props: ViewProps) {
  const { field, pointer, path, raw, ctx } = props;
  const id = fieldId(pointer);
  const label = props.label ?? field.label;
  const error = ctx.errors.get(pointer);
  const hints = hintText(field);
  const described = describedBy(pointer, hints.length > 0, error !== undefined);
  const invalid = error !== undefined ? true : undefined;

  switch (field.kind) {
    case 'object':
      return (
        <fieldset
          class={`field-group${field.variant === 'checklist-item' ? ' checklist-item' : ''}`}
          id={id}
          aria-describedby={described}
          aria-invalid={invalid}
        >
          <GroupHeading label={label} field={field} pointer={pointer} hints={hints} error={error} />
          {field.fields.map((child) => (
            <FieldView
              key={child.name}
              field={child}
              pointer={`${pointer}/${escapePointer(child.name)}`}
              path={[...path, child.name]}
              raw={isRawObject(raw) ? raw[child.name] : undefined}
              ctx={ctx}
            />
          ))}
          {props.extra}
        </fieldset>
      );

    case 'choice':
      if (field.widget === 'select') {
        return (
          <div class="field">
            <div class="label-row">
              <label for={id}>{label}</label>
              <RequiredMark field={field} />
            </div>
            <Hint pointer={pointer} parts={hints} />
            <FieldError pointer={pointer} message={error} />
            <select
              id={id}
              value={text(raw)}
              onChange={(e) => ctx.set(path, (e.currentTarget as HTMLSelectElement).value || undefined)}
              aria-describedby={described}
              aria-invalid={invalid}
              aria-required={field.required || undefined}
            >
              <option value="">Choose…</option>
              {field.options.map((o) => (
                <option key={o.key} value={o.key}>
                  {o.label}
                </option>
              ))}
            </select>
            {props.extra}
          </div>
        );
      }
      return (
        <fieldset class="field choice" id={id} aria-describedby={described} aria-invalid={invalid}>
          <GroupHeading label={label} field={field} pointer={pointer} hints={hints} error={error} />
          <div class="options">
            {field.options.map((o, i) => (
              <div class="option" key={o.key}>
                <input
                  type="radio"
                  id={`${id}-${i}`}
                  name={id}
                  value={o.key}
                  checked={text(raw) === o.key}
                  onChange={() => ctx.set(path, o.key)}
                />
                <label for={`${id}-${i}`}>{o.label}</label>
              </div>
            ))}
            {!field.required ? (
              <div class="option">
                <input
                  type="radio"
                  id={`${id}-none`}
                  name={id}
                  value=""
                  checked={text(raw) === ''}
                  onChange={() => ctx.set(path, undefined)}
                />
                <label for={`${id}-none`}>No answer</label>
              </div>
            ) : null}
          </div>
          {props.extra}
        </fieldset>
      );

    case 'multi-choice': {
      const chosen = Array.isArray(raw) ? (raw as Raw[]) : [];
      return (
        <fieldset class="field choice" id={id} aria-describedby={described} aria-invalid={invalid}>
          <GroupHeading label={label} field={field} pointer={pointer} hints={hints} error={error} />
          <div class="options">
            {field.options.map((o, i) => (
              <div class="option" key={o.key}>
                <input
                  type="checkbox"
                  id={`${id}-${i}`}
                  value={o.key}
                  checked={chosen.includes(o.key)}
                  onChange={(e) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    const next = field.options
                      .map((opt) => opt.key)
                      .filter((k) => (k === o.key ? on : chosen.includes(k)));
                    ctx.set(path, next);
                  }}
                  aria-invalid={invalid}
                />
                <label for={`${id}-${i}`}>{o.label}</label>
              </div>
            ))}
          </div>
          {props.extra}
        </fieldset>
      );
    }

    case 'boolean':
    case 'confirm':
      return (
        <div class="field field-check">
          <div class="option">
            <input
              type="checkbox"
              id={id}
              checked={raw === true}
              onChange={(e) => ctx.set(path, (e.currentTarget as HTMLInputElement).checked)}
              aria-describedby={described}
              aria-invalid={invalid}
              aria-required={field.kind === 'confirm' && field.required ? true : undefined}
            />
            <label for={id}>{label}</label>
            <RequiredMark field={field} />
          </div>
          <Hint pointer={pointer} parts={hints} />
          <FieldError pointer={pointer} message={error} />
          {props.extra}
        </div>
      );

    case 'list':
      return <ListView {...props} />;

    default: {
      const common = {
        id,
        value: text(raw),
        onInput: (e: Event) =>
          ctx.set(path, (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
        'aria-describedby': described,
        'aria-invalid': invalid,
        'aria-required': field.required || undefined,
        autoComplete: 'off',
      };
      let control;
      if (field.kind === 'text' && field.multiline) {
        control = <textarea {...common} rows={4} maxLength={field.maxLength} spellcheck />;
      } else if (field.kind === 'json') {
        control = <textarea {...common} rows={4} class="mono" spellcheck={false} />;
      } else if (field.kind === 'text') {
        control = <input {...common} type={field.inputType} maxLength={field.maxLength} spellcheck={false} />;
      } else if (field.kind === 'datetime') {
        control = <input {...common} type="datetime-local" step={60} />;
      } else if (field.kind === 'date') {
        control = <input {...common} type="date" />;
      } else {
        control = (
          <input
            {...common}
            type="number"
            inputMode={field.integer ? 'numeric' : 'decimal'}
            step={field.integer ? 1 : 'any'}
            min={field.minimum}
            max={field.maximum}
          />
        );
      }
      return (
        <div class="field">
          <div class="label-row">
            <label for={id}>{label}</label>
            <RequiredMark field={field} />
          </div>
          <Hint pointer={pointer} parts={hints} />
          <FieldError pointer={pointer} message={error} />
          <div class="control-row">
            {control}
            {props.extra}
          </div>
        </div>
      );
    }
  }
}

/** A list: one control (or fieldset) per item, each with Remove; Add at the end. */
function ListView(props: ViewProps) {
  const { field, pointer, path, raw, ctx } = props;
  if (field.kind !== 'list') return null;
  const id = fieldId(pointer);
  const items = Array.isArray(raw) ? (raw as Raw[]) : [];
  const label = props.label ?? field.label;
  const error = ctx.errors.get(pointer);
  const hints = hintText(field);
  const full = field.maxItems !== undefined && items.length >= field.maxItems;
  const add = () => {
    ctx.set(path, [...items, initialFieldRaw(field.item)]);
    ctx.focusLater(fieldId(`${pointer}/${items.length}`));
  };
  const remove = (index: number) => {
    ctx.set(
      path,
      items.filter((_, i) => i !== index),
    );
    ctx.focusLater(`${id}-add`);
  };
  return (
    <fieldset
      class="field-group list"
      id={id}
      aria-describedby={describedBy(pointer, hints.length > 0, !!error)}
      aria-invalid={error ? true : undefined}
    >
      <GroupHeading label={label} field={field} pointer={pointer} hints={hints} error={error} />
      {items.length === 0 ? <p class="muted">None yet.</p> : null}
      {items.map((item, index) => {
        const itemLabel = `${label} ${index + 1}`;
        return (
          <FieldView
            key={index}
            field={field.item}
            pointer={`${pointer}/${index}`}
            path={[...path, index]}
            raw={item}
            ctx={ctx}
            label={itemLabel}
            extra={
              <button
                type="button"
                class="button-secondary button-small"
                onClick={() => remove(index)}
                aria-label={`Remove item ${index + 1} from ${label}`}
              >
                Remove
              </button>
            }
          />
        );
      })}
      <button type="button" class="button-secondary" id={`${id}-add`} onClick={add} disabled={full}>
        Add {label.toLowerCase()}
      </button>
    </fieldset>
  );
}
