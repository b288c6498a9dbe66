'use client';

import { PageError } from '@/components/page/page-error';

export default function ServiceError({
  error,
  retry,
}: {
  error: Error & { digest?: string };
  retry: () => void;
}) {
  return <PageError what="This service" error={error} retry={retry} />;
}
