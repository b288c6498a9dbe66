#!/usr/bin/env node
import { errorMessage, migrate, openDatabase, redact, type Database } from '@trellis/db';
import { buildApp } from './app.js';
import { CaMaterialError } from './identity/certificate-authority.js';
import { ensureFirstOperatorToken } from './auth/first-start-token.js';
import { runTokenCommand } from './auth/token-command.js';
import { splitHostPort } from '@trellis/contracts';
import { ConfigError } from '@trellis/config';
import { COLLECTOR_HELP, COLLECTOR_VERSION, dataDirectory, parseCommand } from './config.js';
import { ApiError } from './http/api-error.js';
import { openCurrentDatabase } from './storage/open-current-database.js';
import { applyPolicyFile, PolicyFileError, readPolicyFile } from './policies/policy-file.js';

function fail(message: string): never {
  console.error(`trellis-collector: ${message}`);
  process.exit(1);
}

const command = (() => {
  try {
    return parseCommand();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
})();

if (command.kind === 'help') {
  console.log(COLLECTOR_HELP);
  process.exit(0);
}
if (command.kind === 'version') {
  console.log(`trellis-collector ${COLLECTOR_VERSION}`);
  process.exit(0);
}

async function openMigrated(url: string): Promise<Database> {
  return migrate(url)
    .then((applied) => {
      if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
      return openDatabase(url);
    })
    .catch((error: unknown) => fail(errorMessage(error)));
}

if (command.kind === 'token') {
  const database = await openCurrentDatabase(command.databaseUrl).catch((error: unknown) =>
    fail(errorMessage(error)),
  );
  try {
    for (const line of await runTokenCommand(database, command.token)) console.log(line);
  } catch (error) {
    await database.close();
    fail(error instanceof ApiError ? error.message : errorMessage(error));
  }
  await database.close();
  process.exit(0);
}

const { config } = command;

// Read before the database is touched, so a bad file changes nothing.
const filePolicies = (() => {
  if (config.policiesFile === undefined) return undefined;
  try {
    return readPolicyFile(config.policiesFile);
  } catch (error) {
    if (error instanceof PolicyFileError) fail(error.message);
    throw error;
  }
})();

const database = await openMigrated(config.databaseUrl);

const firstToken = await ensureFirstOperatorToken(database, dataDirectory(config.databaseUrl));
// The token itself stays out of the log: logs are copied, shipped and kept far more widely.
if (firstToken) console.log(`created the first operator token: see ${firstToken.file} (mode 0600)`);

const app = await buildApp({ config, database, logger: true }).catch(async (error: unknown) => {
  await database.close();
  if (error instanceof CaMaterialError) fail(error.message);
  throw error;
});

if (config.policiesFile !== undefined && filePolicies !== undefined) {
  const written = await applyPolicyFile(app.policies, config.policiesFile, filePolicies).catch(
    async (error: unknown) => {
      await database.close();
      fail(
        `${config.policiesFile}: ${error instanceof ApiError ? error.message : errorMessage(error)}`,
      );
    },
  );
  for (const { service, version } of written) {
    console.log(`policy of ${service} is now version ${version} (from ${config.policiesFile})`);
  }
}

const { host, port } = splitHostPort(config.listen);
try {
  await app.listen({ host, port });
} catch (error) {
  await database.close();
  fail(
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `${config.listen} is already in use (--listen)`
      : errorMessage(error),
  );
}
console.log(
  `trellis-collector listening on http://${config.listen} (database ${redact(config.databaseUrl)})`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
}
