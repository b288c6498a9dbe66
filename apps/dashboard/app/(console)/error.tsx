'use client';

import { PageError } from '@/components/page/page-error';

export default function ConsoleError({
  error,
  retry,
}: {
  error: Error & { digest?: string };
  retry: () => void;
}) {
  return <PageError what="This page" error={error} retry={retry} />;
}
