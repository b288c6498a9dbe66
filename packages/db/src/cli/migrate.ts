#!/usr/bin/env node
// `npm run db:migrate`: applies pending migrations to TRELLIS_DATABASE_URL (default: the
// embedded SQLite database the collector uses).
import { DEFAULT_DATABASE_URL } from '../client.js';
import { errorMessage } from '../errors.js';
import { migrate } from '../migrate.js';
import { redact } from '../database-url.js';

const url = process.env.TRELLIS_DATABASE_URL ?? DEFAULT_DATABASE_URL;
try {
  const applied = await migrate(url);
  console.log(
    applied.length === 0
      ? `database ${redact(url)} is up to date`
      : `applied ${applied.length} migration(s) to ${redact(url)}: ${applied.join(', ')}`,
  );
} catch (error) {
  console.error(`trellis: ${errorMessage(error)}`);
  process.exit(1);
}
