// A task's answer_schema (JSON Schema) as a tree of form fields. Pure: no DOM, no Preact.
//
//   object                      -> fieldset of its properties (required ones first, in the
//                                  schema's `required` order, then the rest by name)
//   enum                        -> radio group (few options) or select
//   boolean                     -> checkbox;   const: true -> a checkbox that must be ticked
//   string                      -> input, or textarea for long text (maxLength > 200, or a name
//                                  such as justification / note / narrative / reason)
//   string, format date-time    -> datetime-local (sent as RFC 3339 with the browser's offset)
//   string, format date or a YYYY-MM-DD pattern -> date
//   integer / number            -> number input
//   array of enum               -> checkbox group
//   any other array             -> a list with Add / Remove buttons
//   anything else               -> a JSON text box (the engine checks it)
import type { JsonSchema } from '../api/types';

export interface Option {
  /** The enum value, JSON-encoded: the control's value. */
  key: string;
  value: unknown;
  label: string;
}

interface Base {
  /** The property name ('' for a list's item template). */
  name: string;
  label: string;
  description?: string | undefined;
  required: boolean;
  /** "Required when Status is Observed": a then.required of the parent's if/then. */
  requiredWhen?: string | undefined;
  /** How to draw it, when the task says more than the schema (a checklist's items). */
  variant?: 'checklist-item' | undefined;
}

export type Field =
  | (Base & { kind: 'object'; fields: Field[] })
  | (Base & { kind: 'choice'; options: Option[]; widget: 'radio' | 'select' })
  | (Base & { kind: 'multi-choice'; options: Option[] })
  | (Base & { kind: 'boolean' })
  | (Base & { kind: 'confirm' })
  | (Base & {
      kind: 'text';
      multiline: boolean;
      inputType: 'text' | 'url' | 'email';
      minLength?: number | undefined;
      maxLength?: number | undefined;
      pattern?: string | undefined;
    })
  | (Base & { kind: 'datetime' })
  | (Base & { kind: 'date' })
  | (Base & {
      kind: 'number';
      integer: boolean;
      minimum?: number | undefined;
      maximum?: number | undefined;
    })
  | (Base & { kind: 'list'; item: Field; minItems?: number | undefined; maxItems?: number | undefined })
  | (Base & { kind: 'json' });

export interface FieldLabel {
  label: string;
  description?: string | undefined;
  variant?: 'checklist-item' | undefined;
}

export interface BuildOptions {
  /** A label for the object at a JSON Pointer (a checklist's items by their text). */
  labelFor?: (pointer: string) => FieldLabel | undefined;
  /** The task needs a justification in its answer (assign.justification). */
  justificationRequired?: boolean;
}

const RADIO_LIMIT = 6;
const LONG_TEXT = 200;
const TEXT_WORDS = new Set([
  'justification',
  'note',
  'notes',
  'narrative',
  'comment',
  'comments',
  'reason',
  'rationale',
  'text',
  'description',
  'summary',
  'explanation',
  'details',
]);
const REFERENCE_WORDS = new Set([
  'ref',
  'reference',
  'url',
  'uri',
  'id',
  'sha256',
  'hash',
  'evidence',
  'code',
]);
const WORDS: Record<string, string> = {
  ref: 'reference',
  refs: 'references',
  url: 'URL',
  uri: 'URI',
  id: 'ID',
  sha256: 'SHA-256',
  mcc: 'MCC',
  kyb: 'KYB',
  kyc: 'KYC',
  bsa: 'BSA',
  cco: 'CCO',
  le: 'law-enforcement',
  p0: 'P0',
  sso: 'SSO',
  mfa: 'MFA',
};

/** "le_letter_ref" -> "Law-enforcement letter reference"; "not_observed" -> "Not observed". */
export function humanize(name: string): string {
  const words = name
    .split(/[_\s-]+/)
    .filter((w) => w !== '')
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : name;
}

function optionLabel(value: unknown): string {
  if (typeof value === 'string') return humanize(value);
  if (value === null) return 'None';
  return String(value);
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  return [];
}

function isObjectSchema(schema: JsonSchema): boolean {
  return typesOf(schema).includes('object') || (schema.type === undefined && schema.properties !== undefined);
}

function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[_\s-]+/)
    .filter((w) => w !== '');
}

function suggestsLongText(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  return last !== undefined && TEXT_WORDS.has(last);
}

function suggestsReference(name: string): boolean {
  return nameWords(name).some((w) => REFERENCE_WORDS.has(w));
}

const DATE_PATTERNS = new Set(['^[0-9]{4}-[0-9]{2}-[0-9]{2}$', '^\\d{4}-\\d{2}-\\d{2}$']);

/** The field for one property. `pointer` is where its value sits in the answer. */
export function buildField(
  name: string,
  schema: JsonSchema,
  required: boolean,
  pointer: string,
  options: BuildOptions,
  /** The name the heuristics read (a list's item is named by its list). */
  wordsOf: string = name,
): Field {
  const given = options.labelFor?.(pointer);
  const base: Base = {
    name,
    label: given?.label ?? schema.title ?? humanize(name),
    description: given?.description ?? schema.description,
    required,
    variant: given?.variant,
  };
  const types = typesOf(schema);

  if (schema.const === true) return { ...base, kind: 'confirm' };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const opts = schema.enum.map((value) => ({
      key: JSON.stringify(value),
      value,
      label: optionLabel(value),
    }));
    return {
      ...base,
      kind: 'choice',
      options: opts,
      widget: opts.length <= RADIO_LIMIT ? 'radio' : 'select',
    };
  }
  if (isObjectSchema(schema) && schema.properties) {
    return { ...base, kind: 'object', fields: buildObjectFields(schema, pointer, options) };
  }
  if (types.includes('array') || schema.items !== undefined) {
    const item = schema.items ?? {};
    if (Array.isArray(item.enum) && item.enum.length > 0) {
      const opts = item.enum.map((value) => ({
        key: JSON.stringify(value),
        value,
        label: optionLabel(value),
      }));
      return { ...base, kind: 'multi-choice', options: opts };
    }
    return {
      ...base,
      kind: 'list',
      item: buildField('', item, true, `${pointer}/-`, options, name),
      minItems: schema.minItems,
      maxItems: schema.maxItems,
    };
  }
  if (types.includes('boolean')) return { ...base, kind: 'boolean' };
  if (types.includes('integer') || types.includes('number')) {
    return {
      ...base,
      kind: 'number',
      integer: types.includes('integer') && !types.includes('number'),
      minimum: schema.minimum ?? schema.exclusiveMinimum,
      maximum: schema.maximum ?? schema.exclusiveMaximum,
    };
  }
  if (
    types.includes('string') ||
    (types.length === 0 && (schema.format || schema.pattern || schema.maxLength))
  ) {
    if (schema.format === 'date-time') return { ...base, kind: 'datetime' };
    if (schema.format === 'date' || (schema.pattern && DATE_PATTERNS.has(schema.pattern))) {
      return { ...base, kind: 'date' };
    }
    const long = (schema.maxLength ?? 0) > LONG_TEXT || suggestsLongText(wordsOf);
    const multiline = long && !suggestsReference(wordsOf);
    const isUrl =
      schema.format === 'uri' || schema.pattern === '^https://' || schema.pattern === '^https?://';
    return {
      ...base,
      kind: 'text',
      multiline,
      inputType: schema.format === 'email' ? 'email' : isUrl ? 'url' : 'text',
      minLength: schema.minLength,
      maxLength: schema.maxLength,
      pattern: schema.pattern,
    };
  }
  return { ...base, kind: 'json' };
}

/** "then.required" of `if: {properties: {X: {const: V}}}`: name -> "Required when X is V". */
function conditionalRequirements(schema: JsonSchema): Map<string, string> {
  const out = new Map<string, string>();
  const cond = schema.if?.properties;
  const then = schema.then?.required;
  if (!cond || !then) return out;
  const parts: string[] = [];
  for (const [key, sub] of Object.entries(cond)) {
    if (sub.const !== undefined) {
      const prop = schema.properties?.[key];
      parts.push(`${prop?.title ?? humanize(key)} is ${optionLabel(sub.const)}`);
    }
  }
  if (parts.length === 0) return out;
  for (const name of then) out.set(name, `Required when ${parts.join(' and ')}`);
  return out;
}

export function buildObjectFields(schema: JsonSchema, pointer: string, options: BuildOptions): Field[] {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const when = conditionalRequirements(schema);
  const names = [
    ...(schema.required ?? []).filter((n) => n in properties),
    ...Object.keys(properties)
      .filter((n) => !required.has(n))
      .sort(),
  ];
  const seen = new Set<string>();
  const fields: Field[] = [];
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    const sub = properties[name];
    if (!sub) continue;
    const field = buildField(name, sub, required.has(name), `${pointer}/${escapePointer(name)}`, options);
    const condition = when.get(name);
    if (condition && !field.required) field.requiredWhen = condition;
    fields.push(field);
  }
  return fields;
}

/** The top-level fields of a task's answer. */
export function buildForm(schema: JsonSchema | undefined, options: BuildOptions = {}): Field[] {
  const fields = schema && schema.properties ? buildObjectFields(schema, '', options) : [];
  if (options.justificationRequired) {
    const existing = fields.find((f) => f.name === 'justification');
    if (existing) {
      existing.required = true;
      existing.requiredWhen = undefined;
    } else {
      fields.push({
        name: 'justification',
        label: 'Justification',
        description: 'This task needs a justification with the answer.',
        required: true,
        kind: 'text',
        multiline: true,
        inputType: 'text',
      });
    }
  }
  return fields;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}
