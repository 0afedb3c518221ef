import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { StateDir } from '../state/state-dir.js';
import { PlaneClient } from './plane-client.js';
import { parsePlaneInfo, PlanePaths } from './plane-paths.js';

const START_DEADLINE_MS = 15_000;
const CONNECT_TIMEOUT_MS = 2_000;

export interface StartPlaneOptions {
  /** Node flags for the plane; default this process's, plus tsx when berth runs from source without it. */
  readonly execArgv?: readonly string[];
  /** How long to wait for the new plane's socket (default 15 s). */
  readonly deadlineMs?: number;
}

/** A client for the project's data plane when plane.json names a live process that answers a ping, else undefined. */
export async function connectPlane(stateDir: StateDir): Promise<PlaneClient | undefined> {
  const paths = new PlanePaths(stateDir.root);
  let text: string;
  try {
    text = readFileSync(paths.infoFile, 'utf8');
  } catch {
    return undefined;
  }
  const info = parsePlaneInfo(text);
  if (info === undefined || !isAlive(info.pid)) return undefined;
  try {
    const client = await PlaneClient.connect(paths, info.socket, CONNECT_TIMEOUT_MS);
    if (client.info.pid === info.pid) return client;
    await client.close();
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns a client for the project's data plane, starting one when none answers: a detached process in its own
 * session (it outlives the daemon that started it), output appended to `.berth/plane.log`. Fails with
 * DAEMON_START, quoting the end of that log, when the plane exits or does not answer within the deadline.
 */
export async function startPlane(stateDir: StateDir, log: Logger, options: StartPlaneOptions = {}): Promise<PlaneClient> {
  const existing = await connectPlane(stateDir);
  if (existing) {
    log.info('data plane found', { pid: existing.info.pid });
    return existing;
  }
  const paths = new PlanePaths(stateDir.root);
  mkdirSync(stateDir.root, { recursive: true, mode: 0o700 });
  const entry = planeEntry();
  const out = openSync(paths.log, 'a', 0o600);
  const child = spawn(process.execPath, [...planeExecArgv(entry, options.execArgv), entry, stateDir.root], {
    detached: true, stdio: ['ignore', out, out], cwd: stateDir.root, env: process.env,
  });
  closeSync(out);
  let exited: number | string | null | undefined;
  child.once('exit', (code, signal) => { exited = code ?? signal; });
  child.once('error', (error) => { exited = error.message; });
  child.unref();
  log.info('data plane starting', { pid: child.pid });
  const deadline = Date.now() + (options.deadlineMs ?? START_DEADLINE_MS);
  while (Date.now() < deadline) {
    const gone = exited !== undefined;
    // A plane that exited may have lost the race to one started at the same moment: try it once more.
    const client = await connectPlane(stateDir);
    if (client) return client;
    if (gone) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (exited === undefined && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const what = exited !== undefined ? `exited with status ${exited} while starting` : `did not answer within ${Math.round((options.deadlineMs ?? START_DEADLINE_MS) / 1000)} s`;
  throw new BerthError('DAEMON_START', `the berth data plane ${what}`, { hint: `see ${paths.log}; it ends with:\n${tail(paths.log)}` });
}

/** The entry beside this file, as .ts when berth runs from source. */
function planeEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/launch-plane\.(ts|js)$/, (_, ext: string) => `plane-main.${ext}`);
}

/** Flags that would make the plane run something else than its entry (with the value they take). */
const FOREIGN_FLAGS = new Map([['-e', true], ['--eval', true], ['-p', true], ['--print', true], ['-pe', true], ['--input-type', true], ['-i', false], ['--interactive', false], ['--test', false]]);

/**
 * The plane's Node flags: this process's without those that run other code (`node -e` would run the caller's
 * script again instead of the plane), and a .ts entry needs tsx, which a test runner may not have as a flag.
 */
export function planeExecArgv(entry: string, execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const name = arg.split('=')[0] as string;
    const takesValue = FOREIGN_FLAGS.get(name);
    if (takesValue === undefined) kept.push(arg);
    else if (takesValue && !arg.includes('=')) i++;
  }
  if (!entry.endsWith('.ts') || kept.some((arg) => arg.includes('tsx'))) return kept;
  return [...kept, '--import', import.meta.resolve('tsx')];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-8).map((line) => `    ${line}`).join('\n');
  } catch {
    return '    (no log)';
  }
}
