import type { Health } from '@trellis/contracts';

const LABEL: Record<Health, string> = {
  healthy: 'Healthy',
  warning: 'Warning',
  failing: 'Failing',
  idle: 'Idle',
};

export function HealthBadge({ health }: { health: Health }) {
  return (
    <span className={`health-badge ${health}`} data-health={health}>
      <span className={`status-dot ${health}`} aria-hidden />
      {LABEL[health]}
    </span>
  );
}
