#!/usr/bin/env node
import { ConfigError } from '@trellis/config';
import { PROXY_HELP, parseCommandLine, type ProxyCommand } from './config.js';
import { PROXY_VERSION, createProxy } from './proxy.js';

let command: ProxyCommand;
try {
  command = parseCommandLine();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`trellis-proxy: ${error.message}`);
  process.exit(2);
}
if (command.kind === 'help') {
  console.log(PROXY_HELP);
  process.exit(0);
}
if (command.kind === 'version') {
  console.log(`trellis-proxy ${PROXY_VERSION}`);
  process.exit(0);
}
const options = command.options;

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
