'use client';

import type { Topology } from '@trellis/contracts';
import {
  Background,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Viewport,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { layoutGraph, structureKey, warmUpLayout, type Positions } from './elk-layout';
import {
  flowEdges,
  flowNodes,
  highlightOf,
  layoutInputOf,
  visibleStructure,
} from './graph-elements';
import { layeredLayout } from './layered-layout';
import { MetricsEdgeComponent } from './metrics-edge';
import { ServiceNodeComponent } from './service-node';

const nodeTypes = { service: ServiceNodeComponent };

/** What a screen reader hears on a node: it opens the service; nothing moves or is deleted. */
const ARIA_LABELS = {
  'node.a11yDescription.default': 'Press Enter to open the service.',
  'node.a11yDescription.keyboardDisabled': 'Press Enter to open the service.',
  'controls.ariaLabel': 'Zoom controls',
};
const edgeTypes = { metrics: MetricsEdgeComponent };

/** Below this many services every edge is labelled; above it, labels appear once zoomed in. */
const ALWAYS_LABELLED = 60;
const LABEL_ZOOM = 0.75;
/** Above this many services ELK takes seconds; the coarser layered layout takes milliseconds. */
const LARGE_GRAPH = 150;

export interface TopologyGraphProps {
  topology: Topology;
  hideIdle: boolean;
  showLatency: boolean;
  focus: string | null;
  onOpen: (service: string) => void;
}

function Graph({ topology, hideIdle, showLatency, focus, onOpen }: TopologyGraphProps) {
  const { fitView } = useReactFlow();
  const structure = useMemo(() => visibleStructure(topology, hideIdle), [topology, hideIdle]);
  const layoutInput = useMemo(() => layoutInputOf(structure), [structure]);
  const key = structureKey(layoutInput);
  const large = layoutInput.nodes.length > LARGE_GRAPH;
  // ELK lays out the smaller meshes: its worker (and 1.6 MB of script) starts with the first
  // render rather than after it. A large mesh never needs it, and its parse would compete
  // with the main thread on a small machine. Starting it is idempotent.
  if (!large && typeof window !== 'undefined') warmUpLayout();
  const quick = useMemo(
    () => (large ? { key, positions: layeredLayout(layoutInput) } : undefined),
    // The layout depends on the structure only: new numbers on the same graph keep positions.
    [large, key],
  );
  const [fine, setFine] = useState<{ key: string; positions: Positions }>();
  const layout = quick ?? fine;
  const [zoomedIn, setZoomedIn] = useState(false);
  const fitted = useRef(false);
  const firstRender = useRef(false);

  useEffect(() => {
    if (large) return;
    let current = true;
    void layoutGraph(layoutInput).then((positions) => {
      if (current) setFine({ key, positions });
    });
    return () => {
      current = false;
    };
  }, [key, large]);

  const highlight = useMemo(() => highlightOf(focus, structure), [focus, structure]);
  const nodes = useMemo(
    () => flowNodes(topology, structure, layout?.positions, highlight),
    [topology, structure, layout, highlight],
  );
  const edges = useMemo(
    () =>
      flowEdges(structure, highlight, {
        all: structure.services.length <= ALWAYS_LABELLED || zoomedIn,
        latency: showLatency,
      }),
    [structure, highlight, zoomedIn, showLatency],
  );
  const settled = layout !== undefined;

  useEffect(() => {
    if (firstRender.current || nodes.length === 0) return;
    firstRender.current = true;
    performance.mark('topology:first-render');
  }, [nodes.length]);

  useEffect(() => {
    if (!settled) return;
    if (!fitted.current) {
      fitted.current = true;
      void fitView({ padding: 0.12, maxZoom: 1.1 });
    }
    requestAnimationFrame(() => performance.mark('topology:settled'));
  }, [settled, layout, fitView]);

  useEffect(() => {
    if (focus) void fitView({ nodes: [{ id: focus }], padding: 1.2, maxZoom: 1.2, duration: 400 });
  }, [focus, fitView]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter') return;
    const id = (event.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
    if (id) onOpen(id);
  };
  const onMove = (_: unknown, viewport: Viewport) => {
    const next = viewport.zoom >= LABEL_ZOOM;
    if (next !== zoomedIn) setZoomedIn(next);
  };

  return (
    <div
      className="topology-canvas"
      data-testid="topology-graph"
      data-layout={settled ? 'settled' : 'pending'}
      data-nodes={nodes.length}
      data-edges={edges.length}
      onKeyDown={onKeyDown}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        colorMode="dark"
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable
        onlyRenderVisibleElements={nodes.length > ALWAYS_LABELLED}
        minZoom={0.05}
        maxZoom={2}
        onNodeClick={(_, node) => onOpen(node.id)}
        onMove={onMove}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={ARIA_LABELS}
        aria-label="Service topology"
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} position="bottom-right" />
      </ReactFlow>
    </div>
  );
}

/** The live service graph: ELK lays it out in a worker, React Flow draws and pans it. */
export function TopologyGraph(props: TopologyGraphProps) {
  return (
    <ReactFlowProvider>
      <Graph {...props} />
    </ReactFlowProvider>
  );
}
