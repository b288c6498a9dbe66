#!/usr/bin/env node
import { errorMessage, migrate, openDatabase, redact } from '@trellis/db';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, splitHostPort } from './config.js';

function fail(message: string): never {
  console.error(`trellis-collector: ${message}`);
  process.exit(1);
}

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
})();

const database = await migrate(config.databaseUrl)
  .then((applied) => {
    if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
    return openDatabase(config.databaseUrl);
  })
  .catch((error: unknown) => fail(errorMessage(error)));

const app = await buildApp({ config, database, logger: true });
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
