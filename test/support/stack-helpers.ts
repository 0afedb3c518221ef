import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { berth, type CliResult } from '../berth-cli.js';

/** A replica as `berth ps --format json` prints it (the fields tests look at). */
export interface PsReplica {
  readonly service: string;
  readonly replica: number;
  readonly status: string;
  readonly health?: string;
  readonly pid?: number;
  readonly restarts: number;
  readonly detail?: string;
}

/** A throwaway project folder; `down` is always attempted at the end so no process outlives a test. */
export class TestProject {
  readonly dir: string;

  constructor(files: Record<string, string> = {}, copyFrom?: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'berth-it-'));
    // mkdtemp makes the folder 0700; postgres runs as the `postgres` user when berth is root and must be able to
    // enter the project folder to reach its data in .berth/volumes (berth reports this, with the chmod, when not).
    chmodSync(this.dir, 0o755);
    if (copyFrom) cpSync(copyFrom, this.dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.berth`) });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(this.dir, name), text);
  }

  run(args: readonly string[], env?: Record<string, string>): CliResult {
    return berth(args, { cwd: this.dir, env });
  }

  ps(): PsReplica[] {
    const result = this.run(['ps', '--format', 'json']);
    if (result.status !== 0) throw new Error(`berth ps failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as PsReplica[];
  }

  replica(service: string, replica = 1): PsReplica | undefined {
    return this.ps().find((r) => r.service === service && r.replica === replica);
  }

  cleanup(): void {
    this.run(['down']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** True if any process of the process group is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
