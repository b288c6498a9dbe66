import { NextResponse, type NextRequest } from 'next/server';
import { readLiveView } from '@/server/live-reads';
import { readSession } from '@/server/session';

/** Live reads for the browser: the session cookie in, the collector's validated answer out. */
export async function GET(
  request: NextRequest,
  { params }: { params: Promise<{ path: string[] }> },
) {
  const session = await readSession();
  if (!session) {
    return NextResponse.json(
      { error: { code: 'unauthenticated', message: 'sign in again' } },
      { status: 401 },
    );
  }
  const read = readLiveView(session.token, (await params).path, request.nextUrl.searchParams);
  if (!read) {
    return NextResponse.json(
      { error: { code: 'not-found', message: 'no such view' } },
      { status: 404 },
    );
  }
  const result = await read;
  if (result.ok)
    return NextResponse.json(result.data, { headers: { 'cache-control': 'no-store' } });
  const { status, code, message, details } = result;
  return NextResponse.json(
    { error: { code, message, details } },
    { status: status === 0 ? 503 : status },
  );
}
