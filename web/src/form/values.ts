// What the controls hold (raw text, ticks, choices) and the answer they make. The engine judges
// the answer against its schema; here only what cannot be sent at all is caught (a date that is
// no date, a number that is no number, JSON that does not parse, a blank item left in a list).
import type { Field } from './model';
import { escapePointer } from './model';
import { localDateTimeToRfc3339 } from '../time';

export type Raw = string | boolean | string[] | RawObject | RawList | undefined;
export interface RawObject {
  [name: string]: Raw;
}
export type RawList = Raw[];

export function isRawObject(raw: Raw): raw is RawObject {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/** The controls' starting values: required lists start with one empty item. */
export function initialRaw(fields: Field[]): RawObject {
  const out: RawObject = {};
  for (const field of fields) {
    const value = initialFieldRaw(field);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

export function initialFieldRaw(field: Field): Raw {
  switch (field.kind) {
    case 'object':
      return initialRaw(field.fields);
    case 'list':
      return field.required ? [initialFieldRaw(field.item)] : [];
    case 'multi-choice':
      return [];
    default:
      return undefined;
  }
}

export interface AnswerResult {
  answer: Record<string, unknown>;
  /** Client-side problems by JSON Pointer into the answer. */
  errors: Map<string, string>;
}

export function toAnswer(fields: Field[], raw: RawObject): AnswerResult {
  const errors = new Map<string, string>();
  const answer = objectValue(fields, raw, '', errors);
  return { answer, errors };
}

function objectValue(
  fields: Field[],
  raw: RawObject,
  pointer: string,
  errors: Map<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fieldValue(field, raw[field.name], `${pointer}/${escapePointer(field.name)}`, errors);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function text(raw: Raw): string {
  return typeof raw === 'string' ? raw : '';
}

/** One field's value in the answer; undefined leaves it out. */
export function fieldValue(field: Field, raw: Raw, pointer: string, errors: Map<string, string>): unknown {
  switch (field.kind) {
    case 'object': {
      const value = objectValue(field.fields, isRawObject(raw) ? raw : {}, pointer, errors);
      if (Object.keys(value).length > 0) return value;
      // Nothing answered: leave it out, so the engine names what is missing ("missing required
      // property 'beneficial_ownership'") rather than a part of it; {} only when that is enough.
      return field.required && !field.fields.some((f) => f.required) ? {} : undefined;
    }
    case 'choice': {
      const key = text(raw);
      if (!key) return undefined;
      const option = field.options.find((o) => o.key === key);
      return option ? option.value : undefined;
    }
    case 'multi-choice': {
      const keys = Array.isArray(raw) ? (raw as Raw[]).filter((k): k is string => typeof k === 'string') : [];
      const values = field.options.filter((o) => keys.includes(o.key)).map((o) => o.value);
      return values.length === 0 && !field.required ? undefined : values;
    }
    case 'boolean':
      return raw === true;
    case 'confirm':
      return raw === true ? true : undefined;
    case 'text':
    case 'date':
      return text(raw) === '' ? undefined : text(raw);
    case 'datetime': {
      const value = text(raw);
      if (value === '') return undefined;
      const instant = localDateTimeToRfc3339(value);
      if (instant === null) {
        errors.set(pointer, 'Enter a date and a time.');
        return undefined;
      }
      return instant;
    }
    case 'number': {
      const value = text(raw).trim();
      if (value === '') return undefined;
      const n = Number(value);
      if (!Number.isFinite(n)) {
        errors.set(pointer, 'Enter a number.');
        return undefined;
      }
      return n;
    }
    case 'json': {
      const value = text(raw).trim();
      if (value === '') return undefined;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        errors.set(pointer, 'This is not valid JSON.');
        return undefined;
      }
    }
    case 'list': {
      const items = Array.isArray(raw) ? (raw as Raw[]) : [];
      if (items.length === 0 && !field.required) return undefined;
      // A blank item is sent as it is ("" or null): the engine says what it lacks, at its index.
      return items.map((item, index) => {
        const value = fieldValue(field.item, item, `${pointer}/${index}`, errors);
        if (value !== undefined) return value;
        return field.item.kind === 'text' || field.item.kind === 'date' ? '' : null;
      });
    }
  }
}

/** A copy of `root` with the value at `path` (property names and list indices) replaced. */
export function setIn(root: Raw, path: (string | number)[], value: Raw): Raw {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...(root as Raw[])] : [];
    list[head] = setIn(list[head], rest, value);
    return list;
  }
  const obj: RawObject = isRawObject(root) ? { ...root } : {};
  obj[head as string] = setIn(obj[head as string], rest, value);
  return obj;
}

export function getIn(root: Raw, path: (string | number)[]): Raw {
  let current: Raw = root;
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? (current as Raw[])[key] : undefined;
    else current = isRawObject(current) ? current[key] : undefined;
  }
  return current;
}
