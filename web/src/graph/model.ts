// The workflow graph as GET /v1/workflows/{id}?graph=json sends it (core/src/workflow/
// workflow_graph.h draws it): nodes named after step paths, edges, and the groups a parallel
// step's branches and a map's iteration form. Labels are text: nothing in them is ever treated
// as markup.

export interface GraphNode {
  id: string;
  lines: string[];
  terminal: boolean;
  /** The innermost subgraph the node was declared in. */
  group?: string | undefined;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string | undefined;
  dashed: boolean;
  /** Drawn from a branch's end to the step after its parallel or map (see joinBranches). */
  join?: boolean;
}

export interface GraphGroup {
  id: string;
  label: string;
  parent?: string | undefined;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: GraphGroup[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`the graph's ${what} is not text`);
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : text(value, what);
}

/** The server's graph document, checked: a malformed one is an error, never half a drawing. */
export function readGraph(value: unknown): Graph {
  if (!isObject(value) || !Array.isArray(value.nodes) || !Array.isArray(value.edges)) {
    throw new Error('the server sent no graph');
  }
  const nodes = value.nodes.map((n: unknown): GraphNode => {
    if (!isObject(n) || !Array.isArray(n.lines)) throw new Error("a graph node is malformed");
    return {
      id: text(n.id, 'node id'),
      lines: n.lines.map((line) => text(line, 'node label')),
      terminal: n.terminal === true,
      group: optionalText(n.group, 'node group'),
    };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges = value.edges.map((e: unknown): GraphEdge => {
    if (!isObject(e)) throw new Error('a graph edge is malformed');
    const edge: GraphEdge = {
      from: text(e.from, 'edge source'),
      to: text(e.to, 'edge target'),
      label: optionalText(e.label, 'edge label'),
      dashed: e.dashed === true,
    };
    if (!ids.has(edge.from) || !ids.has(edge.to)) throw new Error('a graph edge joins an unknown node');
    return edge;
  });
  const groups = (Array.isArray(value.groups) ? value.groups : []).map((g: unknown): GraphGroup => {
    if (!isObject(g)) throw new Error('a graph group is malformed');
    return { id: text(g.id, 'group id'), label: text(g.label, 'group label'), parent: optionalText(g.parent, 'group parent') };
  });
  // Every group named exists, and parents form a tree: the layout walks up them.
  const parents = new Map(groups.map((g) => [g.id, g.parent]));
  for (const named of [...nodes.map((n) => n.group), ...groups.map((g) => g.parent)]) {
    if (named !== undefined && !parents.has(named)) throw new Error('the graph names an unknown group');
  }
  for (const g of groups) {
    const seen = new Set<string>();
    for (let at: string | undefined = g.id; at !== undefined; at = parents.get(at)) {
      if (seen.has(at)) throw new Error('the graph\'s groups nest in a circle');
      seen.add(at);
    }
  }
  return { nodes, edges, groups };
}

/** The groups' members, inner groups' members included. */
function membersOf(graph: Graph): Map<string, Set<string>> {
  const parents = new Map(graph.groups.map((g) => [g.id, g.parent]));
  const out = new Map<string, Set<string>>(graph.groups.map((g) => [g.id, new Set<string>()]));
  for (const node of graph.nodes) {
    let group = node.group;
    while (group !== undefined) {
      out.get(group)?.add(node.id);
      group = parents.get(group);
    }
  }
  return out;
}

/**
 * The server draws a parallel (or map) step with an edge to each branch's first step and one
 * edge, without a label, to the step after it; each branch ends in its own "joined" node. For a
 * top-to-bottom layout the step after should come after the branches: that edge is drawn from
 * each branch's "joined" node instead.
 */
export function joinBranches(graph: Graph): Graph {
  const members = membersOf(graph);
  const ownerOf = new Map<string, string>();
  for (const edge of graph.edges) {
    for (const group of graph.groups) {
      const inside = members.get(group.id);
      if (!inside || ownerOf.has(group.id)) continue;
      if (inside.has(edge.to) && !inside.has(edge.from) && edge.label !== undefined) {
        const target = graph.nodes.find((n) => n.id === edge.to);
        if (target && target.group === group.id) ownerOf.set(group.id, edge.from);
      }
    }
  }
  const joinsOf = new Map<string, string[]>();
  const ownedBy = new Map<string, Set<string>>();
  for (const group of graph.groups) {
    const owner = ownerOf.get(group.id);
    if (owner === undefined) continue;
    const done = graph.nodes.find((n) => n.group === group.id && n.terminal && n.id.endsWith('____done'));
    if (!done) continue;
    joinsOf.set(owner, [...(joinsOf.get(owner) ?? []), done.id]);
    const owned = ownedBy.get(owner) ?? new Set<string>();
    for (const id of members.get(group.id) ?? []) owned.add(id);
    ownedBy.set(owner, owned);
  }
  const edges: GraphEdge[] = [];
  for (const edge of graph.edges) {
    const joins = joinsOf.get(edge.from);
    const owned = ownedBy.get(edge.from);
    if (joins && owned && edge.label === undefined && !edge.dashed && !owned.has(edge.to)) {
      for (const done of joins) edges.push({ from: done, to: edge.to, dashed: false, join: true });
    } else {
      edges.push(edge);
    }
  }
  return { ...graph, edges };
}
