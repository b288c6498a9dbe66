import { PageLoading } from '@/components/page/page-loading';

export default function ConsoleLoading() {
  return <PageLoading rows={6} />;
}
