/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonSchema } from '../src/api/types';
import { checklistLabels } from '../src/form/checklist';
import type { Field } from '../src/form/model';
import { buildForm, humanize } from '../src/form/model';
import { answerPointer, fieldId, placeProblem } from '../src/form/pointer';
import { initialRaw, toAnswer } from '../src/form/values';

// The human plugin's approval answer schema (plugins/human/human_steps.cc).
const APPROVAL: JsonSchema = {
  type: 'object',
  properties: {
    comment: { type: 'string', maxLength: 4000 },
    decision: { enum: ['approve', 'reject'] },
    justification: { type: 'string', maxLength: 4000 },
  },
  required: ['decision'],
  additionalProperties: false,
};

const item = {
  type: 'object',
  properties: {
    evidence: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      description: 'A reference (case, document or report number, URL, hash), never the content itself.',
    },
    note: { type: 'string', maxLength: 2000 },
    status: { enum: ['observed', 'not_observed', 'not_applicable'] },
  },
  required: ['status'],
  if: { properties: { status: { const: 'observed' } } },
  then: { required: ['status', 'evidence'] },
  additionalProperties: false,
};

// The human plugin's checklist answer schema, keys sorted as the server sends them.
const CHECKLIST: JsonSchema = {
  type: 'object',
  properties: {
    answers: {
      type: 'object',
      properties: { mcc_accuracy: item, beneficial_ownership: item },
      required: ['beneficial_ownership', 'mcc_accuracy'],
      additionalProperties: false,
    },
    justification: { type: 'string', maxLength: 4000 },
  },
  required: ['answers'],
  additionalProperties: false,
} as JsonSchema;

const byName = (fields: Field[], name: string) => fields.find((f) => f.name === name);

test('an approval: decision radios first, justification and comment as text areas', () => {
  const fields = buildForm(APPROVAL);
  assert.deepEqual(
    fields.map((f) => f.name),
    ['decision', 'comment', 'justification'],
  );
  const decision = byName(fields, 'decision');
  assert.equal(decision?.kind, 'choice');
  assert.ok(decision?.kind === 'choice' && decision.widget === 'radio');
  assert.ok(decision?.kind === 'choice' && decision.options.map((o) => o.label).join() === 'Approve,Reject');
  assert.equal(decision?.required, true);
  const justification = byName(fields, 'justification');
  assert.ok(justification?.kind === 'text' && justification.multiline);
});

test('a task that needs a justification marks it required (and adds it when the schema has none)', () => {
  assert.equal(byName(buildForm(APPROVAL, { justificationRequired: true }), 'justification')?.required, true);
  const form = buildForm(
    { type: 'object', properties: { ref: { type: 'string' } } },
    { justificationRequired: true },
  );
  assert.deepEqual(
    form.map((f) => [f.name, f.required]),
    [
      ['ref', false],
      ['justification', true],
    ],
  );
});

test('a checklist: one fieldset per item, named by its text, in the task order', () => {
  const labels = checklistLabels([
    { id: 'beneficial_ownership', text: 'Beneficial ownership confirmed' },
    { id: 'mcc_accuracy', text: 'MCC matches the business', code: 'K4' },
  ]);
  const fields = buildForm(CHECKLIST, { labelFor: labels });
  const answers = byName(fields, 'answers');
  assert.ok(answers?.kind === 'object');
  if (answers?.kind !== 'object') return;
  assert.deepEqual(
    answers.fields.map((f) => f.label),
    ['Beneficial ownership confirmed', 'K4: MCC matches the business'],
  );
  const first = answers.fields[0];
  assert.ok(first?.kind === 'object' && first.variant === 'checklist-item');
  if (first?.kind !== 'object') return;
  assert.deepEqual(
    first.fields.map((f) => [f.name, f.kind]),
    [
      ['status', 'choice'],
      ['evidence', 'text'],
      ['note', 'text'],
    ],
  );
  const evidence = byName(first.fields, 'evidence');
  assert.ok(evidence?.kind === 'text' && !evidence.multiline, 'a reference is one line');
  assert.equal(evidence?.requiredWhen, 'Required when Status is Observed');
  const note = byName(first.fields, 'note');
  assert.ok(note?.kind === 'text' && note.multiline);
});

test('kinds: lists, dates, date-times, numbers, booleans, confirmations, enum arrays', () => {
  const fields = buildForm({
    type: 'object',
    properties: {
      evidence: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 300 } },
      effective_date: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
      filed_at: { type: 'string', format: 'date-time' },
      adopted: { type: 'integer', minimum: 0 },
      suspicious: { type: 'boolean' },
      acknowledged: { const: true },
      segments: { type: 'array', items: { enum: ['acquirer', 'issuer'] } },
      proposed_channels: {
        type: 'array',
        items: {
          type: 'object',
          properties: { type: { enum: ['email', 'phone'] }, priority: { type: 'integer' } },
          required: ['type'],
        },
      },
      published_url: { type: 'string', pattern: '^https://' },
      status: { enum: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
    },
  });
  const kinds = Object.fromEntries(fields.map((f) => [f.name, f.kind]));
  assert.deepEqual(kinds, {
    acknowledged: 'confirm',
    adopted: 'number',
    effective_date: 'date',
    evidence: 'list',
    filed_at: 'datetime',
    proposed_channels: 'list',
    published_url: 'text',
    segments: 'multi-choice',
    status: 'choice',
    suspicious: 'boolean',
  });
  const status = byName(fields, 'status');
  assert.ok(status?.kind === 'choice' && status.widget === 'select');
  const url = byName(fields, 'published_url');
  assert.ok(url?.kind === 'text' && url.inputType === 'url');
  const channels = byName(fields, 'proposed_channels');
  assert.ok(channels?.kind === 'list' && channels.item.kind === 'object');
});

test('the answer: empty fields left out, types converted, blanks in lists sent for the engine to judge', () => {
  process.env.TZ = 'Australia/Sydney';
  const fields = buildForm({
    type: 'object',
    properties: {
      decision: { enum: ['approve', 'reject'] },
      note: { type: 'string' },
      count: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      flag: { type: 'boolean' },
      refs: { type: 'array', items: { type: 'string' } },
    },
    required: ['refs'],
  });
  const raw = initialRaw(fields);
  assert.deepEqual(raw, { refs: [undefined] });
  const empty = toAnswer(fields, raw);
  assert.deepEqual(empty.answer, { flag: false, refs: [''] });
  assert.equal(empty.errors.size, 0);
  const bad = toAnswer(fields, { count: 'x', at: 'soon', refs: [] });
  assert.deepEqual(Object.fromEntries(bad.errors), {
    '/count': 'Enter a number.',
    '/at': 'Enter a date and a time.',
  });
  const full = toAnswer(fields, {
    decision: JSON.stringify('approve'),
    note: 'fine',
    count: '3',
    at: '2026-12-10T14:30',
    flag: true,
    refs: ['A-1', 'B-2'],
  });
  assert.equal(full.errors.size, 0);
  assert.deepEqual(full.answer, {
    decision: 'approve',
    note: 'fine',
    count: 3,
    at: '2026-12-10T14:30:00+11:00',
    flag: true,
    refs: ['A-1', 'B-2'],
  });
});

test('refusals land on the field their pointer names', () => {
  const fields = buildForm(APPROVAL);
  const raw = initialRaw(fields);
  const problem = (pointer: string | undefined, detail = 'no') => ({
    type: 'urn:coalition:problem:invalid_data',
    title: 'Unprocessable Content',
    status: 422,
    code: 'invalid_data',
    detail,
    ...(pointer === undefined ? {} : { pointer }),
  });
  assert.deepEqual([...placeProblem(problem('/decision'), fields, raw, false).fields.keys()], ['/decision']);
  assert.deepEqual(
    [...placeProblem(problem('/answer/decision'), fields, raw, false).fields.keys()],
    ['/decision'],
  );
  assert.deepEqual(
    [...placeProblem(problem('/', "missing required property 'decision'"), fields, raw, false).fields.keys()],
    ['/decision'],
  );
  assert.equal(placeProblem(problem('/'), fields, raw, false).fields.size, 0);
  assert.equal(placeProblem(problem(undefined), fields, raw, false).fields.size, 0);
  assert.equal(placeProblem(problem('/role', 'not yours'), fields, raw, true).role, 'not yours');

  const checklist = buildForm(CHECKLIST);
  const craw = initialRaw(checklist);
  const missing = placeProblem(
    problem('/answers/beneficial_ownership', "the answer does not fit: missing required property 'evidence'"),
    checklist,
    craw,
    false,
  );
  assert.deepEqual([...missing.fields.keys()], ['/answers/beneficial_ownership/evidence']);
  const many = placeProblem(
    {
      ...problem(undefined, 'two problems'),
      problems: [
        { pointer: '/answer/answers/mcc_accuracy/status', message: 'pick one' },
        { pointer: '/answers/beneficial_ownership/evidence/deeper', message: 'too long' },
      ],
    },
    checklist,
    craw,
    false,
  );
  assert.deepEqual(Object.fromEntries(many.fields), {
    '/answers/mcc_accuracy/status': 'pick one',
    '/answers/beneficial_ownership/evidence': 'too long',
  });
});

test('pointers and ids', () => {
  const fields = buildForm(APPROVAL);
  assert.equal(answerPointer('/answer', fields), '');
  assert.equal(answerPointer('/answers/x', fields), '/answers/x');
  assert.equal(fieldId('/answers/a b/evidence'), 'f.answers.a_b.evidence');
  assert.equal(humanize('le_letter_ref'), 'Law-enforcement letter reference');
  assert.equal(humanize('not_observed'), 'Not observed');
});
