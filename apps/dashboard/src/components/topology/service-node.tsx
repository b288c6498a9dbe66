'use client';

import { UNKNOWN_SOURCE, type Health } from '@trellis/contracts';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatPercent, formatRps } from '../../format/metric-format';

export type ServiceNodeData = {
  service: string;
  health: Health;
  rps: number | null;
  successRate: number | null;
  dimmed: boolean;
  focused: boolean;
};

export type ServiceNode = Node<ServiceNodeData, 'service'>;

/** Read after the name: the colour says it on screen. */
const HEALTH_WORDS: Record<Health, string> = {
  healthy: 'healthy',
  warning: 'warning',
  failing: 'failing',
  idle: 'no traffic',
};

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 54;

function ServiceNodeView({ data }: NodeProps<ServiceNode>) {
  return (
    <div
      className={`graph-node ${data.health}${data.dimmed ? ' dimmed' : ''}${data.focused ? ' focused' : ''}`}
      data-testid="graph-node"
      data-service={data.service}
      data-health={data.health}
      title={`${data.service}: open the service`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="graph-node-name">
        <span className={`status-dot ${data.health}`} aria-hidden />
        {data.service}
        <span className="visually-hidden">, {HEALTH_WORDS[data.health]}</span>
      </div>
      {data.service === UNKNOWN_SOURCE ? (
        <div className="graph-node-metrics">callers outside the mesh</div>
      ) : (
        <div className="graph-node-metrics">
          <span data-testid="node-rps">{formatRps(data.rps)} rps</span>
          <span className={`sr ${data.health}`}>{formatPercent(data.successRate, 1)}</span>
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const ServiceNodeComponent = memo(ServiceNodeView);
