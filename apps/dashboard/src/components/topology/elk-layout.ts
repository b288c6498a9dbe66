import ELK, { type ElkNode, type LayoutOptions } from 'elkjs/lib/elk-api.js';

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

let elk: InstanceType<typeof ELK> | undefined;

function layoutEngine() {
  elk ??= new ELK({
    workerFactory: () =>
      new Worker(new URL('./elk-layout.worker.ts', import.meta.url), { name: 'elk-layout' }),
  });
  return elk;
}

/**
 * Layered, left to right: callers on the left, their dependencies to the right. Past a few
 * hundred services the cheaper strategies keep the layout well under a second.
 */
function layoutOptions(size: number): LayoutOptions {
  const large = size > 150;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.randomSeed': '1',
    'elk.spacing.nodeNode': '28',
    'elk.layered.spacing.nodeNodeBetweenLayers': '110',
    'elk.spacing.componentComponent': '60',
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.cycleBreaking.strategy': 'GREEDY',
    'elk.layered.thoroughness': large ? '1' : '7',
    'elk.layered.nodePlacement.strategy': large ? 'SIMPLE' : 'BRANDES_KOEPF',
    'elk.layered.crossingMinimization.greedySwitch.type': large ? 'OFF' : 'TWO_SIDED',
  };
}

/** The same structure gives the same key, so a refresh with only new numbers never re-lays out. */
export function structureKey({ nodes, edges }: LayoutInput): string {
  return `${nodes.map((n) => n.id).join(',')}|${edges.map((e) => e.id).join(',')}`;
}

const cache = new Map<string, Positions>();

export async function layoutGraph(input: LayoutInput): Promise<Positions> {
  const key = structureKey(input);
  const cached = cache.get(key);
  if (cached) return cached;
  const graph: ElkNode = {
    id: 'mesh',
    layoutOptions: layoutOptions(input.nodes.length),
    children: input.nodes.map(({ id, width, height }) => ({ id, width, height })),
    edges: input.edges.map(({ id, source, target }) => ({
      id,
      sources: [source],
      targets: [target],
    })),
  };
  const result = await layoutEngine().layout(graph);
  const positions: Positions = {};
  for (const child of result.children ?? []) {
    positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
  }
  cache.set(key, positions);
  return positions;
}
