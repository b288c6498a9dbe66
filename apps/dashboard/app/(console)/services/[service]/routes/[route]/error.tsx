'use client';

import { PageError } from '@/components/page/page-error';

export default function RouteError({
  error,
  retry,
}: {
  error: Error & { digest?: string };
  retry: () => void;
}) {
  return <PageError what="This route" error={error} retry={retry} />;
}
