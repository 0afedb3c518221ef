import { spawnSync } from 'node:child_process';
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
