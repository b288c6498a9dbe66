// Derives one Prisma schema per provider from prisma/schema.prisma (the one source) and
// generates a client for each: Prisma Client 7 is compiled per provider, so a client generated
// for SQLite cannot drive PostgreSQL. Runs offline: `prisma generate` only needs the schema
// engine path to name an existing file, and the migrations use the WebAssembly engine instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveSchema } from './derive-schema.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(packageDir, '..', '..', 'prisma', 'schema.prisma'), 'utf8');
const outDir = join(packageDir, 'generated-schema');
mkdirSync(outDir, { recursive: true });

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

for (const provider of ['sqlite', 'postgresql']) {
  let schema;
  try {
    schema = deriveSchema(source, provider);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  const file = join(outDir, `${provider}.prisma`);
  writeFileSync(file, schema);
  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', file], {
    cwd: packageDir,
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    process.exit(result.status ?? 1);
  }
}
