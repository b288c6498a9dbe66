/** Why the database could not be used; `code` is stable, `message` is one line for the operator. */
export class DatabaseError extends Error {
  constructor(
    readonly code: 'invalid-database-url' | 'database-unreachable' | 'migration-failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

// Prisma's client errors open with this line and give the reason on the last one.
const PRISMA_PREAMBLE = /^Invalid `([\w$]+\.[\w.$]+\(\))` invocation/;

/**
 * One line of an error's message: driver errors often carry pages of detail. For Prisma's
 * "Invalid `prisma.x.y()` invocation" the reason, on its last line, goes with the call.
 */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const first = lines[0];
  if (first === undefined) return text;
  const preamble = PRISMA_PREAMBLE.exec(first.trim());
  const last = lines.at(-1)!.trim();
  return preamble !== null && lines.length > 1 ? `${preamble[1]}: ${last}` : first;
}

/** One line for an operator: our own errors say it all, anything else by its first line. */
export function errorMessage(error: unknown): string {
  return error instanceof DatabaseError ? error.message : firstLine(error);
}
