/**
 * Metric names, labels and latency buckets every proxy exports and the collector scrapes
 * (docs/architecture.md §3). The names follow linkerd2-proxy so existing Prometheus know-how carries over.
 */

export const METRIC = {
  requestTotal: 'request_total',
  responseTotal: 'response_total',
  responseLatencySeconds: 'response_latency_seconds',
  attemptTotal: 'attempt_total',
  retryTotal: 'retry_total',
  tcpOpenTotal: 'tcp_open_total',
  tcpReadBytesTotal: 'tcp_read_bytes_total',
  tcpWriteBytesTotal: 'tcp_write_bytes_total',
} as const;

/** linkerd2-proxy's latency bucket boundaries, in seconds; +Inf is implied. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.002, 0.003, 0.004, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 3,
  4, 5, 10, 20, 30, 40, 50,
] as const;

export const DIRECTIONS = ['inbound', 'outbound'] as const;

/**
 * The `src_service` of requests that did not come through a Trellis proxy (clients outside
 * the mesh): it shows up in the topology as a caller with no instances of its own.
 */
export const UNKNOWN_SOURCE = 'unknown';

/**
 * The `dst_service` of outbound requests whose host cannot be a service name (an address
 * outside the mesh, say): they are answered `no-endpoints` and counted under this one name,
 * so arbitrary hosts can neither add series nor start config watches.
 */
export const UNKNOWN_DESTINATION = 'unknown';

/**
 * The `dst_service` of outbound traffic to anything that is not a mesh service (a hostname
 * with dots, an IP address), forwarded with the system resolver; such series also carry
 * `dst_host`, the first EXTERNAL_HOST_LABEL_LIMIT distinct hosts by name and the rest as
 * EXTERNAL_OTHER_HOST.
 */
export const EXTERNAL_DESTINATION = 'external';
export const EXTERNAL_HOST_LABEL_LIMIT = 100;
export const EXTERNAL_OTHER_HOST = 'other';
export type Direction = (typeof DIRECTIONS)[number];

export const CLASSIFICATIONS = ['success', 'failure'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const RETRY_RESULTS = [
  'retried',
  'budget_exhausted',
  'limit_reached',
  'body_too_large',
] as const;
export type RetryResult = (typeof RETRY_RESULTS)[number];

/** Labels on every series: who called whom, on which route. */
export const BASE_LABELS = ['direction', 'src_service', 'dst_service', 'route'] as const;

/** Proxy error codes, sent as `x-trellis-error` and as the `error` label of `response_total`. */
export const PROXY_ERRORS = {
  noEndpoints: { code: 'no-endpoints', status: 503 },
  connectFailed: { code: 'connect-failed', status: 502 },
  requestTimeout: { code: 'request-timeout', status: 504 },
  egressDenied: { code: 'egress-denied', status: 403 },
} as const;
export type ProxyErrorCode = (typeof PROXY_ERRORS)[keyof typeof PROXY_ERRORS]['code'];

export const HEADER = {
  source: 'x-trellis-src',
  error: 'x-trellis-error',
} as const;
