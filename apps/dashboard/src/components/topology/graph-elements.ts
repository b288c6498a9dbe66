import type { Topology } from '@trellis/contracts';
import { MarkerType } from '@xyflow/react';
import type { LayoutInput, Positions } from './elk-layout';
import { NODE_HEIGHT, NODE_WIDTH, type ServiceNode } from './service-node';
import type { MetricsEdge } from './metrics-edge';

/** Which services and edges the graph shows, in a fixed order so the layout is deterministic. */
export function visibleStructure(topology: Topology, hideIdle: boolean) {
  const busy = (rps: number | null) => rps !== null && rps > 0;
  const edges = topology.edges
    .filter((e) => !hideIdle || busy(e.metrics.rps))
    .map((e) => ({ ...e, id: `${e.source}->${e.destination}` }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const connected = new Set(edges.flatMap((e) => [e.source, e.destination]));
  const names = new Set(topology.nodes.map((n) => n.service));
  for (const name of connected) names.add(name);
  const services = [...names]
    .filter(
      (name) => !hideIdle || connected.has(name) || busy(metricsOf(topology, name)?.rps ?? null),
    )
    .sort();
  return { services, edges };
}

function metricsOf(topology: Topology, service: string) {
  return topology.nodes.find((n) => n.service === service)?.metrics;
}

export function layoutInputOf(structure: ReturnType<typeof visibleStructure>): LayoutInput {
  return {
    nodes: structure.services.map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: structure.edges.map((e) => ({ id: e.id, source: e.source, target: e.destination })),
  };
}

/** Where a node sits until ELK has answered: a plain grid, so something is on screen at once. */
function gridPosition(index: number, columns: number) {
  return {
    x: (index % columns) * (NODE_WIDTH + 40),
    y: Math.floor(index / columns) * (NODE_HEIGHT + 40),
  };
}

export interface Highlight {
  focus: string | null;
  neighbours: Set<string>;
}

export function highlightOf(
  focus: string | null,
  structure: ReturnType<typeof visibleStructure>,
): Highlight {
  const neighbours = new Set<string>();
  if (focus) {
    neighbours.add(focus);
    for (const e of structure.edges) {
      if (e.source === focus) neighbours.add(e.destination);
      if (e.destination === focus) neighbours.add(e.source);
    }
  }
  return { focus, neighbours };
}

export function flowNodes(
  topology: Topology,
  structure: ReturnType<typeof visibleStructure>,
  positions: Positions | undefined,
  highlight: Highlight,
): ServiceNode[] {
  const byName = new Map(topology.nodes.map((n) => [n.service, n]));
  const columns = Math.max(1, Math.ceil(Math.sqrt(structure.services.length)));
  return structure.services.map((service, i) => {
    const node = byName.get(service);
    const successRate = node?.metrics.successRate ?? null;
    return {
      id: service,
      type: 'service',
      position: positions?.[service] ?? gridPosition(i, columns),
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      draggable: false,
      connectable: false,
      ariaRole: 'button',
      data: {
        service,
        health: node?.health ?? 'idle',
        rps: node?.metrics.rps ?? null,
        successRate,
        dimmed: highlight.focus !== null && !highlight.neighbours.has(service),
        focused: highlight.focus === service,
      },
    };
  });
}

export function flowEdges(
  structure: ReturnType<typeof visibleStructure>,
  highlight: Highlight,
  labels: { all: boolean; latency: boolean },
): MetricsEdge[] {
  return structure.edges.map((e) => {
    const touchesFocus = e.source === highlight.focus || e.destination === highlight.focus;
    const health = e.health;
    return {
      id: e.id,
      source: e.source,
      target: e.destination,
      type: 'metrics',
      focusable: false,
      markerEnd: {
        type: MarkerType.ArrowClosed,
        width: 16,
        height: 16,
        color: `var(--edge-${health})`,
      },
      data: {
        health,
        rps: e.metrics.rps,
        successRate: e.metrics.successRate,
        p99: e.metrics.p99,
        showLabel: labels.all || touchesFocus,
        showLatency: labels.latency,
        dimmed: highlight.focus !== null && !touchesFocus,
      },
    };
  });
}
