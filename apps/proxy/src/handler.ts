import type { Call } from './call.js';
import type { Outcome } from './classify.js';

/** Serves one logical request. Never rejects for an expected failure: those are outcomes. */
export type Handler = (call: Call) => Promise<Outcome>;

/** Wraps a handler with one concern. Applied once per config change, never per request. */
export type Layer = (next: Handler) => Handler;

/** `stack([a, b, c], inner)` = a(b(c(inner))): the first layer sees the request first. */
export function stack(layers: readonly Layer[], inner: Handler): Handler {
  let handler = inner;
  for (let i = layers.length - 1; i >= 0; i--) handler = layers[i]!(handler);
  return handler;
}
