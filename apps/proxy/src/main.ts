#!/usr/bin/env node
import { ConfigError, loadCliOptions } from './config.js';
import { createProxy } from './proxy.js';

let options;
try {
  options = loadCliOptions();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`trellis-proxy: ${error.message}`);
  process.exit(2);
}

const proxy = createProxy(options);
try {
  const addresses = await proxy.start();
  console.error(
    `trellis-proxy: ${options.service} inbound ${addresses.inbound} → ${options.app ?? '(no app)'}, ` +
      `outbound ${addresses.outbound}, admin ${addresses.admin}`,
  );
} catch (error) {
  console.error(
    `trellis-proxy: cannot start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

process.on('SIGHUP', () => void proxy.reloadConfigFile());

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.error(`trellis-proxy: ${signal}, draining`);
  void proxy.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
