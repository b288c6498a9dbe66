/** Stable codes for everything the demo can refuse to do; the launcher prints code and message. */
export const DEMO_ERROR_CODES = [
  'invalid-option',
  'invalid-mesh',
  'port-in-use',
  'port-range',
  'component-failed',
  'collector-setup',
] as const;
export type DemoErrorCode = (typeof DEMO_ERROR_CODES)[number];

export class DemoError extends Error {
  override readonly name = 'DemoError';

  constructor(
    readonly code: DemoErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
