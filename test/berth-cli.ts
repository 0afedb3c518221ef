import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'test/berth-entry.ts');
/** Absolute, so that the child resolves tsx from berth's node_modules whatever its working directory. */
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the berth CLI from source as a real child process (no build needed). */
export function berth(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): CliResult {
  const result = spawnSync(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/user', NO_COLOR: '1', ...options.env },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A berth CLI child that keeps running (an attached `up`, `logs -f`): its output so far and its exit. */
export interface BerthChild {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the berth CLI from source without waiting for it; the caller signals it and awaits `exited`. */
export function spawnBerth(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): BerthChild {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/user', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => { output.stdout += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { output.stderr += chunk.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, output, exited };
}
