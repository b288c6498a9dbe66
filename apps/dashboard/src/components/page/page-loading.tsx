import { Skeleton } from '../common/skeleton';

/** A page's placeholder while its server components fetch. */
export function PageLoading({ rows }: { rows: number }) {
  return (
    <div data-testid="page-loading">
      <Skeleton rows={1} height={32} />
      <Skeleton rows={rows} height={48} />
    </div>
  );
}
