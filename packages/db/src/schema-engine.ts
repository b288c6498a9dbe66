import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type { DatabaseTarget } from './database-url.js';

/** Node has WebAssembly, but the ES2023 lib this project compiles against does not declare it. */
interface WasmRuntime {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmRuntime };

let loaded: Promise<typeof bindings.SchemaEngine> | undefined;

/**
 * Instantiates Prisma's WebAssembly schema engine by hand rather than through its ESM entry,
 * which imports the .wasm file directly and would need `--experimental-wasm-modules` in every
 * process that migrates (the collector, the tests).
 */
function loadEngine(): Promise<typeof bindings.SchemaEngine> {
  loaded ??= (async () => {
    const glue = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(glue.replace(/\.js$/, '.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bindings,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings.SchemaEngine;
  })();
  return loaded;
}

/**
 * The driver adapter the schema engine drives, wrapped so we can close every connection it
 * opened: the engine does not, and a connection left open keeps SQLite locked and a
 * PostgreSQL pool alive. SQLite's shadow database is in memory, PostgreSQL's a temporary database.
 */
function trackedAdapterFactory(target: DatabaseTarget) {
  const factory: SqlMigrationAwareDriverAdapterFactory =
    target.provider === 'sqlite'
      ? new PrismaBetterSqlite3({ url: target.url })
      : new PrismaPg({ connectionString: target.url });
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    opened.push(adapter);
    return adapter;
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(factory.connect()),
    connectToShadowDb: () => track(factory.connectToShadowDb().then(runScriptsWhole)),
  };
  const closeAll = async () => {
    await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
  };
  return { factory: bindMigrationAwareSqlAdapterFactory(tracked), closeAll };
}

/**
 * This engine build replays migration files on the shadow database through `executeRaw`, which
 * the drivers run as one prepared statement and so reject for a file of several statements.
 * A parameterless `executeRaw` is exactly a script, so it goes through `executeScript`.
 */
function runScriptsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length > 0) return executeRaw(query);
    await adapter.executeScript(query.sql);
    return 0;
  };
  return adapter;
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes every connection it opened. */
  close(): Promise<void>;
}

/** Opens the schema engine on a database, with `datamodel` as the schema it knows. */
export async function openSchemaEngine(
  target: DatabaseTarget,
  datamodel: { path: string; content: string },
): Promise<OpenSchemaEngine> {
  const Engine = await loadEngine();
  const { factory, closeAll } = trackedAdapterFactory(target);
  const log = () => {};
  try {
    const engine = (await Engine.new(
      { datamodels: [[datamodel.path, datamodel.content]] },
      log,
      factory,
    )) as SchemaEngine;
    return {
      engine,
      close: async () => {
        engine.free();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
