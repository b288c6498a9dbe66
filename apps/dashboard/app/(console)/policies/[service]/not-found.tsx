import { PageNotFound } from '@/components/page/page-not-found';

export default function PolicyNotFound() {
  return <PageNotFound what="Policy" />;
}
