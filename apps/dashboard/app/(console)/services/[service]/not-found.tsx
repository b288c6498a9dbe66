import { PageNotFound } from '@/components/page/page-not-found';

export default function ServiceNotFound() {
  return <PageNotFound what="Service" />;
}
