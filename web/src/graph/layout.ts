// A layered, top-to-bottom layout of a workflow graph, with no dependency:
//   1. edges that close a cycle (a rejection back to the draft) are turned round for layering;
//   2. each node's layer is the longest path to it from a node without predecessors;
//   3. an edge across several layers passes through a point on each layer between (a dummy);
//   4. within a layer, nodes are ordered by the barycentre of their parents' positions;
//   5. each node sits under its parents where the nodes beside it leave room.
import type { Graph, GraphEdge } from './model';

export interface Size {
  width: number;
  height: number;
}

export interface LaidNode {
  id: string;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidEdge {
  edge: GraphEdge;
  /** From the source's border to the target's border, through the dummies. */
  points: Point[];
  /** The edge goes up (it closes a cycle). */
  back: boolean;
}

export interface Layout {
  nodes: Map<string, LaidNode>;
  edges: LaidEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  size: (id: string) => Size;
  layerGap?: number;
  nodeGap?: number;
  margin?: number;
}

interface Item {
  id: string;
  dummy: boolean;
  width: number;
  height: number;
  layer: number;
  x: number;
}

/** Edges that close a cycle, found by a depth-first walk from the nodes without predecessors. */
export function backEdges(ids: string[], edges: GraphEdge[]): Set<GraphEdge> {
  const out = new Map<string, GraphEdge[]>();
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const e of edges) {
    out.set(e.from, [...(out.get(e.from) ?? []), e]);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  }
  const state = new Map<string, 'active' | 'done'>();
  const back = new Set<GraphEdge>();
  const visit = (root: string) => {
    // Iterative, so a long workflow cannot overflow the stack.
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'active');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const list = out.get(top.id) ?? [];
      if (top.next >= list.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const e = list[top.next++] as GraphEdge;
      const s = state.get(e.to);
      if (s === 'active') back.add(e);
      else if (s === undefined) {
        state.set(e.to, 'active');
        stack.push({ id: e.to, next: 0 });
      }
    }
  };
  for (const id of ids) if ((indegree.get(id) ?? 0) === 0 && !state.has(id)) visit(id);
  for (const id of ids) if (!state.has(id)) visit(id);
  return back;
}

/** Longest-path layers of a graph without cycles (edges given as [from, to]). */
export function longestPathLayers(ids: string[], arcs: [string, string][]): Map<string, number> {
  const indegree = new Map(ids.map((id) => [id, 0]));
  const succ = new Map<string, string[]>();
  for (const [from, to] of arcs) {
    succ.set(from, [...(succ.get(from) ?? []), to]);
    indegree.set(to, (indegree.get(to) ?? 0) + 1);
  }
  const layer = new Map(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const to of succ.get(id) ?? []) {
      layer.set(to, Math.max(layer.get(to) ?? 0, (layer.get(id) ?? 0) + 1));
      const left = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  return layer;
}

/**
 * Steps no edge leads to from the first node (a deadline's on_expiry target: the drawing has no
 * edge for it) would all sit in the top layer; each goes just above the first of its successors
 * instead, so that such a chain hangs beside the steps it joins.
 */
export function pullDownUnreached(
  ids: string[],
  arcs: [string, string][],
  layerOf: Map<string, number>,
): void {
  const first = ids[0];
  if (first === undefined) return;
  const succ = new Map<string, string[]>();
  for (const [from, to] of arcs) succ.set(from, [...(succ.get(from) ?? []), to]);
  const reached = new Set([first]);
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    for (const to of succ.get(queue[i] as string) ?? []) {
      if (!reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  // Deepest first, so a chain is placed from its end upwards.
  const unreached = ids
    .filter((id) => !reached.has(id))
    .sort((a, b) => (layerOf.get(b) ?? 0) - (layerOf.get(a) ?? 0));
  for (const id of unreached) {
    const below = (succ.get(id) ?? []).map((to) => layerOf.get(to) ?? 0);
    if (below.length === 0) continue;
    layerOf.set(id, Math.max(layerOf.get(id) ?? 0, Math.min(...below) - 1));
  }
}

export function layoutGraph(graph: Graph, options: LayoutOptions): Layout {
  const layerGap = options.layerGap ?? 56;
  const nodeGap = options.nodeGap ?? 24;
  const margin = options.margin ?? 16;
  const ids = graph.nodes.map((n) => n.id);
  const known = new Set(ids);
  const edges = graph.edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  const back = backEdges(ids, edges);
  const arcs = edges.map((e): [string, string] => (back.has(e) ? [e.to, e.from] : [e.from, e.to]));
  const layerOf = longestPathLayers(ids, arcs);
  pullDownUnreached(ids, arcs, layerOf);

  // Items: the nodes, and a dummy on every layer an edge crosses.
  const items = new Map<string, Item>();
  for (const id of ids) {
    const size = options.size(id);
    items.set(id, { id, dummy: false, ...size, layer: layerOf.get(id) ?? 0, x: 0 });
  }
  const chains: string[][] = [];
  const links: [string, string][] = [];
  edges.forEach((_edge, i) => {
    const [from, to] = arcs[i] as [string, string];
    const chain = [from];
    const top = layerOf.get(from) ?? 0;
    const bottom = layerOf.get(to) ?? 0;
    for (let l = top + 1; l < bottom; l++) {
      const id = `dummy:${i}:${l}`;
      items.set(id, { id, dummy: true, width: 8, height: 0, layer: l, x: 0 });
      chain.push(id);
    }
    chain.push(to);
    for (let k = 0; k + 1 < chain.length; k++) links.push([chain[k] as string, chain[k + 1] as string]);
    chains.push(chain);
  });

  // Layers, ordered by the barycentre of the parents' positions (declaration order at the top).
  const layers: Item[][] = [];
  for (const item of items.values()) (layers[item.layer] ??= []).push(item);
  const parents = new Map<string, string[]>();
  for (const [from, to] of links) parents.set(to, [...(parents.get(to) ?? []), from]);
  const position = new Map<string, number>();
  layers.forEach((layer, l) => {
    if (l > 0) {
      const keyed = layer.map((item, index) => {
        const ps = (parents.get(item.id) ?? [])
          .map((p) => position.get(p))
          .filter((p): p is number => p !== undefined);
        const bary = ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : Number.POSITIVE_INFINITY;
        return { item, bary, index };
      });
      keyed.sort((a, b) => a.bary - b.bary || a.index - b.index);
      layers[l] = keyed.map((k) => k.item);
    }
    (layers[l] ?? []).forEach((item, index) => position.set(item.id, index));
  });

  // x: under the parents' mean, pushed right to make room, then the layer shifted back by the
  // mean displacement so it stays centred on what it hangs from.
  for (const layer of layers) {
    if (!layer) continue;
    const desired = layer.map((item) => {
      const ps = (parents.get(item.id) ?? [])
        .map((p) => items.get(p)?.x)
        .filter((x): x is number => x !== undefined);
      return ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : 0;
    });
    let right = Number.NEGATIVE_INFINITY;
    layer.forEach((item, i) => {
      const min =
        right === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : right + nodeGap + item.width / 2;
      item.x = Math.max(desired[i] as number, min);
      right = item.x + item.width / 2;
    });
    const shift = layer.reduce((sum, item, i) => sum + (item.x - (desired[i] as number)), 0) / layer.length;
    for (const item of layer) item.x -= shift;
  }

  // Normalise: everything right of the margin.
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const item of items.values()) {
    minX = Math.min(minX, item.x - item.width / 2);
    maxX = Math.max(maxX, item.x + item.width / 2);
  }
  if (!Number.isFinite(minX)) {
    minX = 0;
    maxX = 0;
  }
  const layerHeights = layers.map((layer) => Math.max(0, ...(layer ?? []).map((i) => i.height)));
  const layerTop: number[] = [];
  let y = margin;
  layerHeights.forEach((h, l) => {
    layerTop[l] = y;
    y += h + layerGap;
  });
  const height = y - layerGap + margin;
  const nodes = new Map<string, LaidNode>();
  const centreY = (item: Item) => (layerTop[item.layer] ?? 0) + (layerHeights[item.layer] ?? 0) / 2;
  for (const item of items.values()) {
    item.x = item.x - minX + margin;
    if (!item.dummy) {
      nodes.set(item.id, {
        id: item.id,
        x: item.x,
        y: centreY(item),
        width: item.width,
        height: item.height,
        layer: item.layer,
      });
    }
  }

  const laidEdges: LaidEdge[] = edges.map((edge, i) => {
    const chain = (chains[i] as string[]).map((id) => items.get(id) as Item);
    const points = chain.map((item, k) => {
      const cy = centreY(item);
      if (item.dummy) return { x: item.x, y: cy };
      // Leave the first node at its bottom, enter the last at its top.
      return { x: item.x, y: k === 0 ? cy + item.height / 2 : cy - item.height / 2 };
    });
    const isBack = back.has(edge);
    return { edge, points: isBack ? points.reverse() : points, back: isBack };
  });

  return { nodes, edges: laidEdges, width: maxX - minX + 2 * margin, height };
}
