export type ClusterErrorCode = 'cluster-disconnected' | 'cluster-payload-too-large';

/** Why a change could not be told to the other collectors; the change itself stands. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
