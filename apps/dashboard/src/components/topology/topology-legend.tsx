import { HEALTH } from '@trellis/contracts';

const LABEL = { healthy: 'Healthy', warning: 'Warning', failing: 'Failing', idle: 'No traffic' };

export function TopologyLegend() {
  return (
    <div className="legend" aria-label="Legend">
      {HEALTH.map((h) => (
        <span key={h} className="legend-item">
          <span className={`status-dot ${h}`} aria-hidden /> {LABEL[h]}
        </span>
      ))}
      <span className="legend-item muted">
        Edges: caller → callee, labelled requests/s · success rate; thicker = busier. Click a
        service (or Enter) to open it.
      </span>
    </div>
  );
}
