// Reads the Mermaid flowchart that GET /v1/workflows/{id}?graph=mermaid returns
// (core/src/workflow/workflow_graph.cc draws it). Only what that server writes is understood:
//
//   flowchart TD
//     n_draft["draft<br/>form"]                  a step (lines split at <br/>)
//     n___start(["start"])                       a terminal (start, end, "joined")
//     n_a --> n_b                                an edge
//     n_a -->|"rule 1"| n_b                      a labelled edge
//     n_a -.->|"catch deadline.expired"| n_b     a dashed edge (a catch)
//     subgraph n_x__b____group ["x / b"] … end   a parallel branch or a map's iteration
//
// Labels are text ("#quot;" is a quote); nothing in them is ever treated as markup.

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

const ID = '[A-Za-z0-9_]+';
const NODE = new RegExp(`^(${ID})\\s*(\\(\\[|\\[)"(.*)"(\\]\\)|\\])$`);
const EDGE = new RegExp(`^(${ID})\\s*(-->|-\\.->|==>)\\s*(?:\\|"?(.*?)"?\\|\\s*)?(${ID})$`);
const SUBGRAPH = new RegExp(`^subgraph\\s+(${ID})(?:\\s*\\["(.*)"\\])?$`);

/** Mermaid's entity codes: #quot; #amp; #35; … */
export function decodeLabel(text: string): string {
  return text.replace(/#(\w+);/g, (whole, code: string) => {
    if (/^\d+$/.test(code)) return String.fromCodePoint(Number(code));
    const named: Record<string, string> = {
      quot: '"',
      amp: '&',
      lt: '<',
      gt: '>',
      apos: "'",
      nbsp: '\u00a0',
    };
    return named[code] ?? whole;
  });
}

export function parseMermaid(text: string): Graph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const groups: GraphGroup[] = [];
  const stack: string[] = [];
  const ensure = (id: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, lines: [id], terminal: false, group: stack[stack.length - 1] });
  };

  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('%%') || /^(flowchart|graph)\b/.test(line)) continue;
    if (line === 'end') {
      stack.pop();
      continue;
    }
    const sub = SUBGRAPH.exec(line);
    if (sub) {
      const id = sub[1] as string;
      groups.push({ id, label: decodeLabel(sub[2] ?? id), parent: stack[stack.length - 1] });
      stack.push(id);
      continue;
    }
    const node = NODE.exec(line);
    if (node) {
      const id = node[1] as string;
      const lines = (node[3] as string).split(/<br\s*\/?>/i).map(decodeLabel);
      const existing = nodes.get(id);
      const declared: GraphNode = {
        id,
        lines,
        terminal: node[2] === '([',
        group: existing?.group ?? stack[stack.length - 1],
      };
      nodes.set(id, declared);
      continue;
    }
    const edge = EDGE.exec(line);
    if (edge) {
      const from = edge[1] as string;
      const to = edge[4] as string;
      ensure(from);
      ensure(to);
      const label = edge[3] !== undefined && edge[3] !== '' ? decodeLabel(edge[3]) : undefined;
      edges.push({ from, to, label, dashed: edge[2] === '-.->' });
    }
    // Anything else (styles, classes, comments) does not change the shape: left out.
  }
  return { nodes: [...nodes.values()], edges, groups };
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
