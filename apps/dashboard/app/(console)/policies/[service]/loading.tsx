import { PageLoading } from '@/components/page/page-loading';

export default function PolicyLoading() {
  return <PageLoading rows={5} />;
}
