#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { DemoError } from './errors.js';
import { DemoLauncher } from './launcher/launcher.js';
import { HelpRequested, loadLauncherOptions } from './launcher/launcher-options.js';

const STOP_GRACE_MS = 5000;

const root = fileURLToPath(new URL('../../../', import.meta.url));

let options;
try {
  options = loadLauncherOptions(
    process.argv.slice(2),
    process.env,
    fileURLToPath(new URL('../demo-mesh.json', import.meta.url)),
  );
} catch (error) {
  if (error instanceof HelpRequested) {
    console.log(error.message);
    process.exit(0);
  }
  if (error instanceof DemoError) {
    console.error(`trellis-demo: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const launcher = new DemoLauncher(options, { root }, (line) => console.log(line));

let stopping: Promise<void> | undefined;
function stop(code: number): void {
  if (stopping !== undefined) return;
  stopping = launcher.stop(STOP_GRACE_MS).finally(() => process.exit(code));
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping === undefined) console.log('\nstopping…');
    stop(0);
  });
}
process.on('exit', () => launcher.killAllNow());

try {
  await launcher.start((error) => {
    console.error(`trellis-demo: ${error.message}\nstopping everything.`);
    stop(1);
  });
} catch (error) {
  if (stopping === undefined) {
    const message =
      error instanceof DemoError ? `${error.message}` : String((error as Error).stack ?? error);
    console.error(`trellis-demo: ${message}`);
    stop(1);
  }
}
