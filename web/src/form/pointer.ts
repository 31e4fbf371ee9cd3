// Where a refusal belongs in the form: the problem's `pointer` (into the answer, "/decision", or
// into the request body, "/answer/decision") or each of its `problems`, walked up to the nearest
// field that is on the page. "missing required property 'x'" at an object names its field x.
import type { Problem } from '../api/types';
import type { Field } from './model';
import { escapePointer, unescapePointer } from './model';
import type { Raw } from './values';
import { isRawObject } from './values';

/** The id of the control (or group) for the value at `pointer`. */
export function fieldId(pointer: string): string {
  return `f${pointer.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export function errorId(pointer: string): string {
  return `${fieldId(pointer)}-error`;
}

export function hintId(pointer: string): string {
  return `${fieldId(pointer)}-hint`;
}

export function parentPointer(pointer: string): string {
  const at = pointer.lastIndexOf('/');
  return at <= 0 ? '' : pointer.slice(0, at);
}

/** Every pointer that has a control or group on the page, for the current values. */
export function knownPointers(fields: Field[], raw: Raw): Set<string> {
  const out = new Set<string>();
  const walk = (list: Field[], value: Raw, prefix: string) => {
    for (const field of list) {
      const pointer = `${prefix}/${escapePointer(field.name)}`;
      addField(field, isRawObject(value) ? value[field.name] : undefined, pointer);
    }
  };
  const addField = (field: Field, value: Raw, pointer: string) => {
    out.add(pointer);
    if (field.kind === 'object') walk(field.fields, value, pointer);
    if (field.kind === 'list' && Array.isArray(value)) {
      (value as Raw[]).forEach((item, index) => addField(field.item, item, `${pointer}/${index}`));
    }
  };
  walk(fields, raw, '');
  return out;
}

/**
 * A server pointer as a pointer into the answer: "/answer/decision" and "/decision" are both
 * "/decision" (unless the answer itself has a property named "answer"); "/" is the answer itself.
 */
export function answerPointer(pointer: string, fields: Field[]): string {
  if (pointer === '/' || pointer === '') return '';
  const hasAnswerProperty = fields.some((f) => f.name === 'answer');
  if (!hasAnswerProperty && (pointer === '/answer' || pointer.startsWith('/answer/'))) {
    return pointer.slice('/answer'.length);
  }
  return pointer;
}

const MISSING = /missing required propert(?:y|ies) '([^']+)'/;

/** The nearest pointer on the page for a refusal at `pointer`; '' when it is the whole answer. */
export function resolveTarget(pointer: string, message: string, known: Set<string>): string {
  let target = pointer;
  const missing = MISSING.exec(message);
  if (missing && missing[1] !== undefined) {
    const child = `${target}/${escapePointer(missing[1])}`;
    if (known.has(child)) return child;
  }
  while (target !== '' && !known.has(target)) target = parentPointer(target);
  return target;
}

export interface PlacedProblem {
  /** Messages by the pointer of the field they belong to. */
  fields: Map<string, string>;
  /** The message is for the role select. */
  role?: string;
}

/** Puts a refusal's messages next to the fields they are about. */
export function placeProblem(
  problem: Problem,
  fields: Field[],
  raw: Raw,
  hasRoleField: boolean,
): PlacedProblem {
  const known = knownPointers(fields, raw);
  const placed: PlacedProblem = { fields: new Map() };
  const items =
    problem.problems && problem.problems.length > 0
      ? problem.problems.map((p) => ({ pointer: p.pointer, message: p.message }))
      : problem.pointer !== undefined
        ? [{ pointer: problem.pointer, message: problem.detail }]
        : [];
  for (const item of items) {
    if (hasRoleField && (item.pointer === '/role' || item.pointer === 'role')) {
      placed.role = item.message;
      continue;
    }
    const target = resolveTarget(answerPointer(item.pointer, fields), item.message, known);
    if (target === '') continue;
    const before = placed.fields.get(target);
    placed.fields.set(target, before ? `${before} ${item.message}` : item.message);
  }
  return placed;
}

/** The value's path (names and list indices) for a pointer into the answer. */
export function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => (/^\d+$/.test(token) ? Number(token) : unescapePointer(token)));
}
