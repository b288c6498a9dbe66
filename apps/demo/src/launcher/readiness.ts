import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DemoError } from '../errors.js';
import type { Component } from './process-group.js';

const POLL_MS = 200;
const LOG_TAIL_LINES = 8;

/** 2xx from `url`, quickly or not at all: a component is ready when it answers. */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function logTail(component: Component): string {
  try {
    const lines = readFileSync(component.logFile, 'utf8').trimEnd().split('\n');
    return lines
      .slice(-LOG_TAIL_LINES)
      .map((line) => `    ${line}`)
      .join('\n');
  } catch {
    return '';
  }
}

export function exitedError(component: Component): DemoError {
  const { exitCode, signalCode } = component.child;
  return new DemoError(
    'component-failed',
    `${component.name} exited (${signalCode ?? `code ${exitCode}`}); ${component.logFile} ends with:\n${logTail(component)}`,
  );
}

/**
 * Waits until every url answers, failing fast when the component behind them exits and with
 * its log's last lines when the deadline passes.
 */
export async function waitReady(
  component: Component,
  urls: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...urls];
  while (waiting.length > 0) {
    if (component.child.exitCode !== null || component.child.signalCode !== null) {
      throw exitedError(component);
    }
    if (Date.now() > deadline) {
      throw new DemoError(
        'component-failed',
        `${component.name} was not ready after ${timeoutMs / 1000}s (no answer from ${waiting[0]}); ${component.logFile} ends with:\n${logTail(component)}`,
      );
    }
    const answered = await Promise.all(waiting.map(answers));
    waiting = waiting.filter((_, i) => !answered[i]);
    if (waiting.length > 0) await sleep(POLL_MS);
  }
}
