import { Readable } from 'node:stream';
import type { Call } from './call.js';

/** Largest request body the proxy holds in memory so that it can replay it on a retry. */
export const REPLAYABLE_BODY_LIMIT = 64 * 1024;

interface Prefix {
  chunks: Buffer[];
  size: number;
  complete: boolean;
}

/** Reads until the body ends or exceeds `limit`; then pauses, leaving the rest unread. */
function readPrefix(req: Readable, limit: number): Promise<Prefix> {
  return new Promise((resolve) => {
    const prefix: Prefix = { chunks: [], size: 0, complete: false };
    const finish = (complete: boolean): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      prefix.complete = complete;
      resolve(prefix);
    };
    const onData = (chunk: Buffer): void => {
      prefix.chunks.push(chunk);
      prefix.size += chunk.length;
      if (prefix.size > limit) {
        req.pause();
        finish(false);
      }
    };
    const onEnd = (): void => finish(true);
    const onClose = (): void => finish(req.readableEnded);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
  });
}

async function* prefixThenRest(prefix: Buffer[], rest: Readable): AsyncIterable<Buffer> {
  yield* prefix;
  yield* rest;
}

/**
 * Makes the call's body replayable when it is at most REPLAYABLE_BODY_LIMIT bytes. A larger
 * body (declared, or found while reading a chunked one) keeps streaming and is never replayed.
 */
export async function bufferForReplay(call: Call): Promise<void> {
  const body = call.req.body;
  if (call.replayable || body === null || call.body !== body) return;
  if (call.contentLength > REPLAYABLE_BODY_LIMIT) return;
  const prefix = await readPrefix(body, REPLAYABLE_BODY_LIMIT);
  if (prefix.complete) {
    call.body = prefix.chunks.length === 1 ? prefix.chunks[0]! : Buffer.concat(prefix.chunks);
    call.replayable = true;
  } else {
    call.body = Readable.from(prefixThenRest(prefix.chunks, body), { objectMode: false });
  }
}
