import { PageLoading } from '@/components/page/page-loading';

export default function ServiceLoading() {
  return <PageLoading rows={5} />;
}
