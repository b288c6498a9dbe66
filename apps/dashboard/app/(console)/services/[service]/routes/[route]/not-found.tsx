import { PageNotFound } from '@/components/page/page-not-found';

export default function RouteNotFound() {
  return <PageNotFound what="Route" />;
}
