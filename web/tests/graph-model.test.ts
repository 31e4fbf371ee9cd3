/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinBranches, readGraph } from '../src/graph/model';
import { FILING_REVIEW, PARALLEL } from './fixtures';

test('reads steps, terminals and labelled, dashed edges', () => {
  const g = readGraph(FILING_REVIEW);
  assert.equal(g.nodes.length, 9);
  const review = g.nodes.find((n) => n.id === 'n_review');
  assert.deepEqual(review?.lines, ['review', 'approval']);
  assert.equal(review?.terminal, false);
  assert.equal(g.nodes.find((n) => n.id === 'n___start')?.terminal, true);
  assert.equal(g.edges.length, 10);
  const caught = g.edges.find((e) => e.from === 'n_review' && e.to === 'n_missed');
  assert.equal(caught?.dashed, true);
  assert.equal(caught?.label, 'catch deadline.expired');
  assert.equal(g.edges.find((e) => e.from === 'n_draft')?.label, undefined);
});

test('labels stay text and a malformed graph is refused whole', () => {
  const g = readGraph({ nodes: [{ id: 'n_x', lines: ['<b>x</b>"', 'kind'], terminal: false }], edges: [] });
  assert.deepEqual(g.nodes[0]?.lines, ['<b>x</b>"', 'kind']);
  assert.throws(() => readGraph('flowchart TD'), /no graph/);
  assert.throws(() => readGraph({ nodes: [{ id: 1, lines: [] }], edges: [] }), /node id/);
  assert.throws(
    () => readGraph({ nodes: [{ id: 'n_a', lines: ['a'] }], edges: [{ from: 'n_a', to: 'n_gone' }] }),
    /unknown node/,
  );
  assert.throws(
    () => readGraph({ nodes: [{ id: 'n_a', lines: ['a'], group: 'g_gone' }], edges: [] }),
    /unknown group/,
  );
  assert.throws(
    () =>
      readGraph({
        nodes: [],
        edges: [],
        groups: [
          { id: 'g1', label: 'one', parent: 'g2' },
          { id: 'g2', label: 'two', parent: 'g1' },
        ],
      }),
    /circle/,
  );
});

test('groups record membership and joinBranches routes the continuation through the joins', () => {
  const g = readGraph(PARALLEL);
  assert.equal(g.groups.length, 2);
  assert.equal(g.nodes.find((n) => n.id === 'n_report__b__three')?.group, 'n_report__b____group');
  const joined = joinBranches(g);
  assert.equal(
    joined.edges.some((e) => e.from === 'n_report' && e.to === 'n_after'),
    false,
  );
  const joins = joined.edges
    .filter((e) => e.to === 'n_after')
    .map((e) => e.from)
    .sort();
  assert.deepEqual(joins, ['n_report__a____done', 'n_report__b____done']);
  // The branch edges stay.
  assert.ok(joined.edges.some((e) => e.from === 'n_report' && e.label === 'a'));
});
