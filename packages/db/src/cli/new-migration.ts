#!/usr/bin/env node
// `npm run db:new-migration -- NAME`: writes the SQLite and PostgreSQL migrations that bring
// the history up to prisma/schema.prisma. The PostgreSQL history is replayed on the server at
// TRELLIS_TEST_POSTGRES_URL (in a temporary database), since only a real server can.
import { errorMessage } from '../errors.js';
import { writeNewMigration } from '../new-migration.js';
import { readDerivedSchema } from '../schema-files.js';

const name = process.argv[2];
const postgresUrl = process.env.TRELLIS_TEST_POSTGRES_URL;
if (!name) {
  console.error('usage: npm run db:new-migration -- NAME   (lowercase letters, digits and "_")');
  process.exit(2);
}
if (!postgresUrl) {
  console.error(
    'trellis: set TRELLIS_TEST_POSTGRES_URL=postgresql://USER@HOST:PORT/DB so the PostgreSQL migration can be written too',
  );
  process.exit(2);
}
try {
  const written = await writeNewMigration({
    name,
    postgresUrl,
    schemas: { sqlite: readDerivedSchema('sqlite'), postgresql: readDerivedSchema('postgresql') },
  });
  if (written.length === 0) console.log('the schema matches the migrations: nothing to write');
  for (const migration of written) console.log(`wrote ${migration.directory}/migration.sql`);
} catch (error) {
  console.error(`trellis: ${errorMessage(error)}`);
  process.exit(1);
}
