import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ComponentSpec {
  /** Also the log file's name: `<log dir>/<name>.log`. */
  name: string;
  /**
   * Stop order: higher stages stop first, so traffic ends before the proxies it goes through
   * and proxies before the control plane they report to.
   */
  stage: number;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface Component {
  name: string;
  stage: number;
  pid: number;
  child: ChildProcess;
  logFile: string;
}

/** Whether any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * The launcher's children. Each runs in its own process group (so the terminal's Ctrl-C
 * reaches only the launcher, which stops them in order) and is stopped as a group, grandchildren
 * included: SIGTERM, then SIGKILL after the grace period. Output goes straight to its log file
 * descriptor, so the logs stay complete even if the launcher itself dies.
 */
export class ProcessGroup {
  private readonly components: Component[] = [];
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (component: Component, code: number | null) => void,
  ) {}

  get all(): readonly Component[] {
    return this.components;
  }

  start(spec: ComponentSpec): Component {
    const logFile = join(this.logDir, `${spec.name}.log`);
    // Logs may hold secrets a component prints by mistake: the owner alone reads them, also
    // when an older run left the file readable by others.
    const fd = openSync(logFile, 'a', 0o600);
    fchmodSync(fd, 0o600);
    writeSync(fd, `\n=== ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`cannot start ${spec.name}`);
    const component: Component = {
      name: spec.name,
      stage: spec.stage,
      pid: child.pid,
      child,
      logFile,
    };
    this.components.push(component);
    child.once('exit', (code) => {
      if (!this.stopping) this.onUnexpectedExit(component, code);
    });
    return component;
  }

  /** Stops every group, stage by stage, within one grace period for all. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    const stages = [...new Set(this.components.map((c) => c.stage))].sort((a, b) => b - a);
    for (const stage of stages) {
      const members = this.components.filter((c) => c.stage === stage);
      for (const component of members) signalGroup(component.pid, 'SIGTERM');
      while (members.some((c) => groupAlive(c.pid)) && Date.now() < deadline) await sleep(50);
      for (const component of members) {
        if (groupAlive(component.pid)) signalGroup(component.pid, 'SIGKILL');
      }
      while (members.some((c) => groupAlive(c.pid))) await sleep(20);
    }
  }
}
