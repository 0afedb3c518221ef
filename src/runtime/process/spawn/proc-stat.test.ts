import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, groupMembers, signalGroup, waitFor } from './process-group.js';
import { parseProcStat, readProcStat } from './proc-stat.js';

describe('proc stat', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[1] = '1';
    fields[2] = '4242';
    fields[19] = '987654';
    expect(parseProcStat(`4242 (my (odd) name) ${fields.join(' ')}`)).toEqual({ pid: 4242, state: 'S', ppid: 1, pgrp: 4242, startTicks: 987654 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads this process and tells a reused pid by its start time', () => {
    const self = readProcStat(process.pid);
    expect(self?.pid).toBe(process.pid);
    expect(isProcessAlive(process.pid, self?.startTicks)).toBe(true);
    expect(isProcessAlive(process.pid, (self?.startTicks ?? 0) + 1)).toBe(false);
    expect(readProcStat(2 ** 22 + 7)).toBeUndefined();
  });

  it('signals a whole process group and sees it gone', async () => {
    const child = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); setInterval(() => {}, 1000)"], { detached: true, stdio: 'ignore' });
    const pgid = child.pid as number;
    expect(await waitFor(() => groupMembers(pgid).length === 2, { timeoutMs: 5000 })).toBe(true);
    expect(signalGroup(pgid, 'SIGKILL')).toBe(true);
    expect(await waitFor(() => groupMembers(pgid).length === 0, { timeoutMs: 5000 })).toBe(true);
    // A group of zombies not reaped yet still takes signals; sending one is harmless.
    expect(() => signalGroup(pgid, 'SIGKILL')).not.toThrow();
    expect(signalGroup(2 ** 22 + 7, 'SIGKILL')).toBe(false);
  });
});
