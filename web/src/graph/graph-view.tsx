// The workflow graph as SVG: each step a box coloured by its state through CSS classes, with the
// state also in words (a line in the box, its <title>, the legend and a list of steps).
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { Graph } from './model';
import type { LaidEdge, Point } from './layout';
import { layoutGraph } from './layout';
import type { StepState } from './state';
import { STATE_ORDER, STATE_WORDS, stateOf } from './state';

const CHAR = 7.3; // width of a 12px monospace character
const LINE = 16;
const PAD_X = 12;
const PAD_Y = 8;
const LABEL_CHAR = 6.7; // 11px monospace

function nodeLines(lines: string[], state: StepState): string[] {
  return [...lines, STATE_WORDS[state]];
}

function pathFor(points: Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x.toFixed(1)},${first.y.toFixed(1)}`;
  let prev = first;
  const xy = (x: number, y: number) => `${x.toFixed(1)},${y.toFixed(1)}`;
  for (const p of rest) {
    // Vertical tangents at both ends: the edge leaves downwards and arrives from above.
    const mid = (p.y - prev.y) / 2;
    d += ` C${xy(prev.x, prev.y + mid)} ${xy(p.x, p.y - mid)} ${xy(p.x, p.y)}`;
    prev = p;
  }
  return d;
}

function labelPoint(edge: LaidEdge): Point | null {
  const [a, b] = edge.points;
  if (!a || !b) return null;
  return { x: a.x + (b.x - a.x) * 0.45, y: a.y + (b.y - a.y) * 0.45 };
}

function describeNode(lines: string[]): string {
  const [name, kind] = lines;
  return kind ? `${name} (${kind})` : (name ?? '');
}

export function GraphView(props: { graph: Graph; states: Map<string, StepState>; title: string }) {
  const { graph, states } = props;
  const layout = useMemo(() => {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    return layoutGraph(graph, {
      size: (id) => {
        const node = byId.get(id);
        const lines = nodeLines(node?.lines ?? [id], 'not-reached');
        const longest = Math.max(
          ...lines.map((l) => l.length),
          ...STATE_ORDER.map((s) => STATE_WORDS[s].length),
        );
        return { width: Math.ceil(longest * CHAR + 2 * PAD_X), height: lines.length * LINE + 2 * PAD_Y };
      },
    });
  }, [graph]);
  // Bring what is happening into view: the first step running or waiting, else the start.
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const focus =
      graph.nodes.find((n) => !n.terminal && stateOf(n.id, states) === 'running') ?? graph.nodes[0];
    const laid = focus ? layout.nodes.get(focus.id) : undefined;
    if (!laid) return;
    el.scrollLeft = Math.max(0, laid.x - el.clientWidth / 2);
    el.scrollTop = Math.max(0, laid.y - el.clientHeight / 3);
  }, [layout]);
  const counts = new Map<StepState, number>();
  const steps = graph.nodes.filter((n) => !n.terminal);
  for (const node of steps) {
    const s = stateOf(node.id, states);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const summary = STATE_ORDER.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${STATE_WORDS[s]}`)
    .join(', ');

  return (
    <figure class="graph" data-testid="workflow-graph">
      <figcaption id="graph-caption">{props.title}</figcaption>
      <div class="graph-scroll" role="region" aria-labelledby="graph-caption" tabIndex={0} ref={scroller}>
        <svg
          width={Math.ceil(layout.width)}
          height={Math.ceil(layout.height)}
          viewBox={`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`}
          role="img"
          aria-labelledby="graph-svg-title graph-svg-desc"
        >
          <title id="graph-svg-title">{props.title}</title>
          <desc id="graph-svg-desc">
            {steps.length} steps: {summary}. The list of steps below gives each step's state.
          </desc>
          <defs>
            <marker
              id="graph-arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
            </marker>
          </defs>
          <g class="edges">
            {layout.edges.map((e, i) => (
              <path
                key={i}
                d={pathFor(e.points)}
                class={`edge${e.edge.dashed ? ' edge-dashed' : ''}${e.back ? ' edge-back' : ''}`}
                marker-end="url(#graph-arrow)"
              />
            ))}
          </g>
          <g class="nodes">
            {graph.nodes.map((node) => {
              const laid = layout.nodes.get(node.id);
              if (!laid) return null;
              const state = stateOf(node.id, states);
              const lines = nodeLines(node.lines, state);
              const x = laid.x - laid.width / 2;
              const y = laid.y - laid.height / 2;
              return (
                <g key={node.id} class={`node node-${state}${node.terminal ? ' node-terminal' : ''}`}>
                  <title>{`${describeNode(node.lines)}: ${STATE_WORDS[state]}`}</title>
                  <rect
                    x={x}
                    y={y}
                    width={laid.width}
                    height={laid.height}
                    rx={node.terminal ? laid.height / 2 : 6}
                  />
                  {lines.map((line, k) => (
                    <text
                      key={k}
                      x={laid.x}
                      y={y + PAD_Y + LINE * k + LINE * 0.75}
                      class={k === 0 ? 'node-name' : k === lines.length - 1 ? 'node-state' : 'node-kind'}
                    >
                      {line}
                    </text>
                  ))}
                </g>
              );
            })}
          </g>
          <g class="edge-labels">
            {layout.edges.map((e, i) => {
              const label = e.edge.label;
              const at = labelPoint(e);
              if (!label || !at) return null;
              const w = label.length * LABEL_CHAR + 8;
              return (
                <g key={i} class="edge-label">
                  <rect x={at.x - w / 2} y={at.y - 9} width={w} height={16} rx={3} />
                  <text x={at.x} y={at.y + 3}>
                    {label}
                  </text>
                </g>
              );
            })}
          </g>
        </svg>
      </div>
      <GraphLegend />
      <details class="graph-steps">
        <summary>Steps and their states, as a list</summary>
        <ul class="plain-list">
          {steps.map((node) => (
            <li key={node.id}>
              <code>{describeNode(node.lines)}</code>: {STATE_WORDS[stateOf(node.id, states)]}
            </li>
          ))}
        </ul>
      </details>
    </figure>
  );
}

export function GraphLegend() {
  return (
    <ul class="legend" aria-label="Legend">
      {STATE_ORDER.map((state) => (
        <li key={state}>
          <svg
            width="18"
            height="14"
            viewBox="0 0 18 14"
            aria-hidden="true"
            focusable="false"
            class={`node-${state}`}
          >
            <rect x="1" y="1" width="16" height="12" rx="3" />
          </svg>
          <span>{STATE_WORDS[state]}</span>
        </li>
      ))}
    </ul>
  );
}
