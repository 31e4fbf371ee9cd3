/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backEdges, layoutGraph, longestPathLayers } from '../src/graph/layout';
import { joinBranches, readGraph } from '../src/graph/model';
import { FILING_REVIEW, graphOf, PARALLEL } from './fixtures';

const size = () => ({ width: 100, height: 40 });

test('longest-path layering puts a node below all its parents', () => {
  const layers = longestPathLayers(
    ['a', 'b', 'c', 'd'],
    [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
      ['c', 'd'],
    ],
  );
  assert.deepEqual(
    [...layers.entries()],
    [
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ],
  );
});

test('a loop back to an earlier step is a back edge, drawn upwards', () => {
  const g = graphOf([
    ['n___start', 'n_draft'],
    ['n_draft', 'n_committee'],
    ['n_committee', 'n_approved'],
    ['n_approved', 'n_done', 'rule 1'],
    ['n_approved', 'n_draft', 'default'],
  ]);
  const back = backEdges(
    g.nodes.map((n) => n.id),
    g.edges,
  );
  assert.equal(back.size, 1);
  const [edge] = [...back];
  assert.equal(edge?.from, 'n_approved');
  assert.equal(edge?.to, 'n_draft');
  const layout = layoutGraph(g, { size });
  const draft = layout.nodes.get('n_draft');
  const approved = layout.nodes.get('n_approved');
  assert.ok(draft && approved && draft.y < approved.y);
  const laid = layout.edges.find((e) => e.edge === edge);
  assert.ok(laid?.back);
  const first = laid?.points[0];
  const last = laid?.points[laid.points.length - 1];
  assert.ok(first && last && first.y > last.y, 'the back edge goes up');
});

test('every edge goes down from its source to its target; nodes of a layer do not overlap', () => {
  for (const text of [FILING_REVIEW, PARALLEL]) {
    const g = joinBranches(readGraph(text));
    const layout = layoutGraph(g, { size, nodeGap: 20 });
    for (const e of layout.edges) {
      if (e.back) continue;
      const from = layout.nodes.get(e.edge.from);
      const to = layout.nodes.get(e.edge.to);
      assert.ok(from && to && from.layer < to.layer, `${e.edge.from} -> ${e.edge.to}`);
      assert.equal(e.points[0]?.y, from.y + from.height / 2);
      assert.equal(e.points[e.points.length - 1]?.y, to.y - to.height / 2);
    }
    const byLayer = new Map<number, { x: number; width: number }[]>();
    for (const n of layout.nodes.values()) byLayer.set(n.layer, [...(byLayer.get(n.layer) ?? []), n]);
    for (const nodes of byLayer.values()) {
      nodes.sort((a, b) => a.x - b.x);
      for (let i = 1; i < nodes.length; i++) {
        const a = nodes[i - 1]!;
        const b = nodes[i]!;
        assert.ok(a.x + a.width / 2 + 19.9 <= b.x - b.width / 2, 'gap between neighbours');
      }
    }
    for (const n of layout.nodes.values()) {
      assert.ok(n.x - n.width / 2 >= 0 && n.x + n.width / 2 <= layout.width);
      assert.ok(n.y - n.height / 2 >= 0 && n.y + n.height / 2 <= layout.height);
    }
  }
});

test('the steps after a parallel come after all its branches', () => {
  const layout = layoutGraph(joinBranches(readGraph(PARALLEL)), { size });
  const after = layout.nodes.get('n_after')!;
  for (const id of ['n_report__a__one', 'n_report__b__two', 'n_report__b__three']) {
    assert.ok(layout.nodes.get(id)!.layer < after.layer, id);
  }
});

test('a step only a deadline leads to hangs just above what it joins, not at the top', () => {
  const g = graphOf([
    ['n___start', 'n_a'],
    ['n_a', 'n_b'],
    ['n_b', 'n_c'],
    ['n_c', 'n_d'],
    ['n_d', 'n___end'],
    ['n_late', 'n_late_done'],
    ['n_late_done', 'n_d'],
  ]);
  const layout = layoutGraph(g, { size });
  const d = layout.nodes.get('n_d')!.layer;
  assert.equal(layout.nodes.get('n_late_done')!.layer, d - 1);
  assert.equal(layout.nodes.get('n_late')!.layer, d - 2);
});
