/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUrl, toProblem } from '../src/api/client';
import { matchRoute, safeNext } from '../src/router';

test('problem documents are read as they are; anything else becomes one', () => {
  const body = JSON.stringify({
    type: 'urn:coalition:problem:invalid_data',
    title: 'Unprocessable Content',
    status: 422,
    code: 'invalid_data',
    detail: 'the answer does not fit task t1: expected type string, minLength 3',
    pointer: '/narrative_ref',
  });
  const p = toProblem({ status: 422, statusText: 'Unprocessable Content' }, body);
  assert.equal(p.code, 'invalid_data');
  assert.equal(p.pointer, '/narrative_ref');
  assert.equal(p.detail, 'the answer does not fit task t1: expected type string, minLength 3');
  const html = toProblem({ status: 502, statusText: 'Bad Gateway' }, '<html>oops</html>');
  assert.equal(html.status, 502);
  assert.equal(html.code, 'http_502');
  assert.match(html.detail, /502/);
});

test('query strings leave out what is not set', () => {
  assert.equal(
    buildUrl('/v1/tasks', { overdue: true, escalated: false, limit: 50, cursor: undefined, x: '' }),
    '/v1/tasks?overdue=true&limit=50',
  );
  assert.equal(buildUrl('/v1/tasks', {}), '/v1/tasks');
});

test('routes and where to go after signing in', () => {
  assert.deepEqual(matchRoute('/'), { name: 'tasks' });
  assert.deepEqual(matchRoute('/tasks/ex-1.t2'), { name: 'task', id: 'ex-1.t2' });
  assert.deepEqual(matchRoute('/executions/ex-1'), { name: 'execution', id: 'ex-1' });
  assert.deepEqual(matchRoute('/executions'), { name: 'executions' });
  assert.deepEqual(matchRoute('/nope/a/b'), { name: 'not-found' });
  assert.equal(safeNext('/tasks/x?y=1'), '/tasks/x?y=1');
  assert.equal(safeNext('//evil.example'), '/');
  assert.equal(safeNext('https://evil.example'), '/');
  assert.equal(safeNext('/sign-in?next=/'), '/');
  assert.equal(safeNext(null), '/');
});

test('the role select offers the task roles the person holds, in the task order', async () => {
  const { eligibleRoles } = await import('../src/pages/task');
  const task = { roles: ['bsa_officer', 'deputy_bsa_officer', 'cco'] } as Parameters<typeof eligibleRoles>[0];
  const session = { roles: ['deputy_bsa_officer', 'analyst', ' bsa_officer'] } as Parameters<
    typeof eligibleRoles
  >[1];
  assert.deepEqual(eligibleRoles(task, session), ['bsa_officer', 'deputy_bsa_officer']);
});
