import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../api/client.js';
import type { DaemonInfo } from '../api/protocol.js';
import { BerthError } from '../errors.js';
import type { StateDir } from '../state/state-dir.js';

const START_DEADLINE_MS = 15_000;

/** A client for the project's daemon if one answers, else undefined. */
export async function connectDaemon(stateDir: StateDir): Promise<ApiClient | undefined> {
  const client = new ApiClient(stateDir.socket);
  try {
    await client.get<DaemonInfo>('/v1/ping');
    return client;
  } catch (error) {
    if (error instanceof BerthError && error.code === 'DAEMON_UNREACHABLE') return undefined;
    throw error;
  }
}

/**
 * After `down`: waits (up to 15 s) until the daemon stopped answering, so that a `berth up` right after starts a
 * new one instead of reaching the one that is exiting.
 */
export async function waitDaemonGone(stateDir: StateDir): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline && (await connectDaemon(stateDir)) !== undefined) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Returns a client for the project's daemon, starting one in the background if none answers. The daemon is the same
 * berth (same Node flags, so it also works when berth runs from source) and writes its output to .berth/daemon.log.
 */
export async function ensureDaemon(stateDir: StateDir, projectDir: string): Promise<ApiClient> {
  const existing = await connectDaemon(stateDir);
  if (existing) return existing;
  stateDir.ensure();
  const here = fileURLToPath(import.meta.url);
  const entry = here.replace(/launch\.(ts|js)$/, (_, ext: string) => `main.${ext}`);
  const out = openSync(stateDir.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, entry, '--state-dir', stateDir.root, '--project-dir', projectDir], {
    detached: true, stdio: ['ignore', out, out], cwd: projectDir, env: process.env,
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => { exited = code; });
  child.unref();
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    const gone = exited !== undefined;
    // A child that exited may have lost the race to a daemon another `berth up` started at the same moment.
    const client = await connectDaemon(stateDir);
    if (client) return client;
    if (gone) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new BerthError('DAEMON_START', exited !== undefined ? `the berth daemon exited with status ${exited} while starting` : 'the berth daemon did not answer within 15 s', {
    hint: `its log ends with:\n${tail(stateDir.daemonLog)}`,
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-8).map((line) => `    ${line}`).join('\n');
  } catch {
    return '    (no log)';
  }
}
