/**
 * Which protocol a client speaks on a new connection, decided from its first bytes so that one
 * port serves them all: HTTP/2 with prior knowledge opens with the fixed connection preface
 * (RFC 9113 §3.4), anything else is taken for HTTP/1.x and left to its parser to accept or refuse.
 */
export const enum ClientProtocol {
  Http1,
  Http2,
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** The protocol `data` (everything received so far) opens with; undefined until it is clear. */
export function detectProtocol(data: Buffer): ClientProtocol | undefined {
  const length = Math.min(data.length, H2_PREFACE.length);
  if (data.compare(H2_PREFACE, 0, length, 0, length) !== 0) return ClientProtocol.Http1;
  return length === H2_PREFACE.length ? ClientProtocol.Http2 : undefined;
}
