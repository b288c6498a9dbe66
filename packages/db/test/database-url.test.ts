import { describe, expect, it } from 'vitest';
import { DatabaseError, migrate, openDatabase, parseDatabaseUrl, redact } from '../src/index.js';

function failure(action: () => unknown): DatabaseError {
  try {
    action();
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseError');
}

describe('database URLs', () => {
  it('reads SQLite and PostgreSQL URLs', () => {
    expect(parseDatabaseUrl('file:./data/trellis.db')).toEqual({
      provider: 'sqlite',
      url: 'file:./data/trellis.db',
      filePath: './data/trellis.db',
    });
    expect(parseDatabaseUrl('postgresql://u:p@db:5432/trellis').provider).toBe('postgresql');
    expect(parseDatabaseUrl('postgres://u@db/trellis').provider).toBe('postgresql');
  });

  it('rejects anything else with a one-line reason', () => {
    const unsupported = failure(() => parseDatabaseUrl('mysql://root:secret@db/trellis'));
    expect(unsupported.code).toBe('invalid-database-url');
    expect(unsupported.message).toBe(
      'unsupported database URL "mysql://root:***@db/trellis": use file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB',
    );
    expect(failure(() => parseDatabaseUrl('postgresql://db:5432')).message).toBe(
      'database URL names no database',
    );
    expect(failure(() => parseDatabaseUrl('file:')).message).toBe(
      'database URL "file:" names no file',
    );
  });

  it('never prints a password', () => {
    expect(redact('postgresql://trellis:hunter2@db:5432/trellis')).toBe(
      'postgresql://trellis:***@db:5432/trellis',
    );
  });

  it('says in one line that PostgreSQL cannot be reached', async () => {
    const url = 'postgresql://postgres:secret@127.0.0.1:1/trellis';
    for (const attempt of [() => migrate(url), () => openDatabase(url)]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseError);
      const { code, message } = error as DatabaseError;
      expect(code).toBe('database-unreachable');
      expect(message).toMatch(
        /^cannot (reach|open) the database at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/trellis: /,
      );
      expect(message).not.toContain('\n');
    }
  });
});
