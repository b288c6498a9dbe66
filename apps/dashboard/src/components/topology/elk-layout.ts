import ELK, { type ElkNode, type LayoutOptions } from 'elkjs/lib/elk-api.js';

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

let elk: InstanceType<typeof ELK> | undefined;

/** Starts the worker (and its 1.6 MB of ELK) before there is anything to lay out. */
export function warmUpLayout(): void {
  layoutEngine();
}

function layoutEngine() {
  elk ??= new ELK({
    workerFactory: () =>
      new Worker(new URL('./elk-layout.worker.ts', import.meta.url), { name: 'elk-layout' }),
  });
  return elk;
}

/**
 * Layered, left to right: callers on the left, their dependencies to the right. Only meshes of
 * up to 150 services come here (larger ones get `layered-layout.ts`), so ELK can
 * afford its thorough strategies.
 */
const LAYOUT_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.randomSeed': '1',
  'elk.spacing.nodeNode': '44',
  'elk.layered.spacing.nodeNodeBetweenLayers': '150',
  'elk.spacing.componentComponent': '60',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.cycleBreaking.strategy': 'GREEDY',
  'elk.layered.thoroughness': '7',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.greedySwitch.type': 'TWO_SIDED',
};

/** The same structure gives the same key, so a refresh with only new numbers never re-lays out. */
export function structureKey({ nodes, edges }: LayoutInput): string {
  return `${nodes.map((n) => n.id).join(',')}|${edges.map((e) => e.id).join(',')}`;
}

const cache = new Map<string, Positions>();

/** FNV-1a: a short name for a long structure key in sessionStorage. */
function storageKey(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `trellis.layout.${(hash >>> 0).toString(36)}.${key.length}`;
}

function stored(key: string): Positions | undefined {
  try {
    const raw = sessionStorage.getItem(storageKey(key));
    return raw ? (JSON.parse(raw) as Positions) : undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, positions: Positions): void {
  try {
    sessionStorage.setItem(storageKey(key), JSON.stringify(positions));
  } catch {
    // A full or disabled storage only costs the next visit a fresh layout.
  }
}

/**
 * Positions for a structure: from memory, from this tab's earlier visits, or from ELK. The
 * same structure always gets the same positions, so nodes never jump between refreshes.
 */
export async function layoutGraph(input: LayoutInput): Promise<Positions> {
  const key = structureKey(input);
  const cached = cache.get(key) ?? stored(key);
  if (cached) {
    cache.set(key, cached);
    return cached;
  }
  const graph: ElkNode = {
    id: 'mesh',
    layoutOptions: LAYOUT_OPTIONS,
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
  store(key, positions);
  return positions;
}
