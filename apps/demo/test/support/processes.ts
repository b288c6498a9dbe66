import { readFileSync, readdirSync } from 'node:fs';

interface ProcessStat {
  pid: number;
  ppid: number;
  pgrp: number;
}

/** Every process on the machine with its parent and process group (Linux /proc). */
export function processTable(): ProcessStat[] {
  const table: ProcessStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    table.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return table;
}

/** Process groups led by children of `parent`: the launcher's components. */
export function childGroups(parent: number): Set<number> {
  return new Set(
    processTable()
      .filter((p) => p.ppid === parent)
      .map((p) => p.pgrp),
  );
}

export function processesInGroups(groups: Set<number>): number[] {
  return processTable()
    .filter((p) => groups.has(p.pgrp))
    .map((p) => p.pid);
}
