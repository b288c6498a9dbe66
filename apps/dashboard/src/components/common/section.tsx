import { Suspense, type ReactNode } from 'react';
import { SectionErrorBoundary } from './section-error-boundary';
import { Skeleton } from './skeleton';

/** A titled panel that loads, fails and recovers on its own. */
export function Section({
  title,
  description,
  actions,
  children,
  testId,
  skeletonRows,
  className,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  skeletonRows?: number;
  className?: string;
}) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id} data-testid={testId}>
      <div className="panel-head">
        <div>
          <h2 id={id}>{title}</h2>
          {description && <p className="panel-description">{description}</p>}
        </div>
        {actions && <div className="panel-actions">{actions}</div>}
      </div>
      <SectionErrorBoundary>
        <Suspense fallback={<Skeleton rows={skeletonRows} />}>{children}</Suspense>
      </SectionErrorBoundary>
    </section>
  );
}
