import { readdirSync, readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` berth needs (see proc(5)). Linux only. */
export interface ProcStat {
  readonly pid: number;
  /** One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, X dead, … */
  readonly state: string;
  readonly ppid: number;
  /** Process group id. */
  readonly pgrp: number;
  /** Start time in clock ticks after boot: with the pid, it identifies a process even after pid reuse. */
  readonly startTicks: number;
}

/** Parses the text of a `/proc/<pid>/stat` file; undefined if it is not one. */
export function parseProcStat(text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 of proc(5), so field N is fields[N - 3].
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgrp = Number(fields[2]);
  const startTicks = Number(fields[19]);
  if (!state || !Number.isInteger(ppid) || !Number.isInteger(pgrp) || !Number.isInteger(startTicks)) return undefined;
  return { pid, state, ppid, pgrp, startTicks };
}

/** The stat of one process, or undefined when it does not exist (or /proc cannot be read). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process of the host, as far as /proc shows them. */
export function listProcStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** A zombie (exited, not yet reaped) or dead process counts as gone. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}
