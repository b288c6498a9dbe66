'use client';

import type { Edge } from '@trellis/contracts';
import { formatLatency, formatPercent, formatRps } from '../../format/metric-format';
import { ViewLink } from '../shell/view-link';

export function EdgesTable({ edges, peer }: { edges: Edge[]; peer: 'source' | 'destination' }) {
  if (edges.length === 0) {
    return (
      <p className="muted">
        {peer === 'source' ? 'No callers in this window.' : 'Calls nothing in this window.'}
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{peer === 'source' ? 'From' : 'To'}</th>
            <th scope="col" className="num">
              Success
            </th>
            <th scope="col" className="num">
              RPS
            </th>
            <th scope="col" className="num">
              p50
            </th>
            <th scope="col" className="num">
              p99
            </th>
            <th scope="col">
              <span className="visually-hidden">Drill down</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...edges]
            .sort((a, b) => (b.metrics.rps ?? 0) - (a.metrics.rps ?? 0))
            .map((edge) => {
              const name = edge[peer];
              const health = edge.health;
              return (
                <tr
                  key={`${edge.source}->${edge.destination}`}
                  className={`health-row ${health}`}
                  data-peer={name}
                >
                  <th scope="row">
                    <ViewLink href={`/services/${encodeURIComponent(name)}`}>{name}</ViewLink>
                  </th>
                  <td className={`num sr ${health}`}>{formatPercent(edge.metrics.successRate)}</td>
                  <td className="num">{formatRps(edge.metrics.rps)}</td>
                  <td className="num">{formatLatency(edge.metrics.p50)}</td>
                  <td className="num">{formatLatency(edge.metrics.p99)}</td>
                  <td>
                    <ViewLink
                      href={`/edges/${encodeURIComponent(edge.source)}/${encodeURIComponent(edge.destination)}`}
                      aria-label={`Calls from ${edge.source} to ${edge.destination}`}
                    >
                      Calls →
                    </ViewLink>
                  </td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
