/**
 * Wall time of `berth up -d --wait` on the example stack (postgres, redis, migration job, 2 API replicas, worker)
 * to all-healthy, against a serial start of the same stack (one service at a time, each waited for before the next,
 * in dependency order — what a deploy script with `sleep`-free waits would do). Printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERIAL_ORDER = ['db', 'redis', 'migrate', 'api', 'worker'];

function berth(dir: string, args: string[]): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/berth.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, API_PORT: '18765' } });
  if (result.status !== 0) throw new Error(`berth ${args.join(' ')} failed:\n${result.stderr}`);
}

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export function benchUpDemo(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-up-'));
  chmodSync(dir, 0o755); // postgres (run as its own user when berth is root) must be able to enter the project
  try {
    cpSync(path.join(ROOT, 'examples/tasks'), dir, { recursive: true, filter: (src) => !src.includes('.berth') });
    berth(dir, ['up', '-d', '--wait']); // first run pays initdb; not measured
    berth(dir, ['down']);
    const parallel: number[] = [];
    const serial: number[] = [];
    for (let i = 0; i < 3; i++) {
      parallel.push(timed(() => berth(dir, ['up', '-d', '--wait'])));
      berth(dir, ['down']);
      serial.push(timed(() => { for (const service of SERIAL_ORDER) berth(dir, ['up', '-d', '--wait', service]); }));
      berth(dir, ['down']);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[1] as number;
    console.log(`up of the example stack to all-healthy (median of 3): parallel ${(median(parallel) / 1000).toFixed(2)} s, serial ${(median(serial) / 1000).toFixed(2)} s`);
    console.log(`  ratio serial / parallel: ${(median(serial) / median(parallel)).toFixed(2)}x (above 1 = starting independent branches together pays)`);
  } finally {
    spawnSync(process.execPath, [path.join(ROOT, 'bin/berth.js'), 'down', '--volumes'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  }
}
