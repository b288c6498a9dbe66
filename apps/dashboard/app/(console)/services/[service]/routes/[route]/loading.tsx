import { PageLoading } from '@/components/page/page-loading';

export default function RouteLoading() {
  return <PageLoading rows={5} />;
}
