import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

// Editors and `mv` produce bursts of events for one logical change.
const SETTLE_MS = 50;

/**
 * Calls `onChange` after the file changes. Watches the directory, not the file, so that an
 * atomic replace (write elsewhere, rename over) is seen and the watch survives it.
 */
export function watchConfigFile(path: string, onChange: () => void): { close(): void } {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(path), (_event, filename) => {
    if (filename !== null && filename !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, SETTLE_MS);
  });
  watcher.on('error', () => watcher.close());
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
