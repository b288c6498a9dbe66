import { PageNotFound } from '@/components/page/page-not-found';

export default function ConsoleNotFound() {
  return <PageNotFound what="Page" />;
}
