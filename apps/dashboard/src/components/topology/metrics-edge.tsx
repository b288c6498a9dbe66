'use client';

import type { Health } from '@trellis/contracts';
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  type Edge,
  type EdgeProps,
} from '@xyflow/react';
import { memo } from 'react';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { ViewLink } from '../shell/view-link';

export type MetricsEdgeData = {
  health: Health;
  rps: number | null;
  successRate: number | null;
  p99: number | null;
  showLabel: boolean;
  showLatency: boolean;
  dimmed: boolean;
};

export type MetricsEdge = Edge<MetricsEdgeData, 'metrics'>;

/** Heavier lines for busier edges, on a log scale so one hot path does not drown the rest. */
function strokeWidth(rps: number | null): number {
  if (!rps) return 1;
  return Math.min(5, 1 + Math.log10(1 + rps) * 1.4);
}

function MetricsEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
  markerEnd,
}: EdgeProps<MetricsEdge>) {
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  if (!data) return null;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        // Edges take no clicks or hovers, so the wide invisible hit path would be DOM for nothing.
        interactionWidth={0}
        className={`graph-edge ${data.health}${data.dimmed ? ' dimmed' : ''}`}
        style={{ strokeWidth: strokeWidth(data.rps) }}
      />
      {data.showLabel && !data.dimmed && (
        <EdgeLabelRenderer>
          <ViewLink
            href={`/edges/${encodeURIComponent(source)}/${encodeURIComponent(target)}`}
            className={`graph-edge-label nodrag nopan ${data.health}`}
            data-testid="graph-edge-label"
            data-edge={id}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <span className="visually-hidden">
              Calls from {source} to {target}:{' '}
            </span>
            {formatRps(data.rps)} rps · {formatPercent(data.successRate, 1)}
            {data.showLatency && <> · p99 {formatLatency(data.p99)}</>}
          </ViewLink>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const MetricsEdgeComponent = memo(MetricsEdgeView);
