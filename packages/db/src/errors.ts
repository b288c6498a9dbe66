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

/** The first line of an error's message: driver errors often carry pages of detail. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '') ?? text;
}

/** One line for an operator: our own errors say it all, anything else by its first line. */
export function errorMessage(error: unknown): string {
  return error instanceof DatabaseError ? error.message : firstLine(error);
}
