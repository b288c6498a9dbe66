import { DatabaseError } from './errors.js';

export type Provider = 'sqlite' | 'postgresql';

export type DatabaseTarget =
  { provider: 'sqlite'; url: string; filePath: string } | { provider: 'postgresql'; url: string };

/**
 * Reads a database URL: `file:PATH` (SQLite, the embedded default) or `postgresql://…` /
 * `postgres://…` (PostgreSQL, for scale-out). Anything else is an error naming what was wrong.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('file:')) {
    const filePath = url.slice('file:'.length).split('?')[0] ?? '';
    if (filePath === '') {
      throw new DatabaseError('invalid-database-url', `database URL "${url}" names no file`);
    }
    return { provider: 'sqlite', url, filePath };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new DatabaseError('invalid-database-url', `database URL is not a valid URL`, { cause });
    }
    if (parsed.hostname === '') {
      throw new DatabaseError('invalid-database-url', `database URL names no host`);
    }
    if (parsed.pathname.length <= 1) {
      throw new DatabaseError('invalid-database-url', `database URL names no database`);
    }
    return { provider: 'postgresql', url };
  }
  throw new DatabaseError(
    'invalid-database-url',
    `unsupported database URL "${redact(url)}": use file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB`,
  );
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
