import { PageNotFound } from '@/components/page/page-not-found';

export default function NotFound() {
  return (
    <main id="main" className="shell-main">
      <PageNotFound what="Page" />
    </main>
  );
}
