'use client';

import { PageError } from '@/components/page/page-error';

export default function PolicyError({
  error,
  retry,
}: {
  error: Error & { digest?: string };
  retry: () => void;
}) {
  return <PageError what="This policy" error={error} retry={retry} />;
}
