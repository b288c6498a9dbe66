// The e2e tests drive the system's Chromium; a browser download cannot work on these machines.
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  console.error(
    `e2e: no Chromium at ${path}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
  );
  process.exit(1);
}
