import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../errors.js';
import type { VolumeMount } from '../../../model/stack.js';
import type { PrepareContext } from '../launch/launch-plan.js';
import { LineSplitter } from '../logs/line-splitter.js';
import { execProcess } from '../spawn/exec-command.js';
import { delay, signalGroup } from '../spawn/process-group.js';
import { runTool } from '../spawn/run-tool.js';
import type { PostgresInitArgs } from './postgres-init.js';

const INIT_DIR = '/docker-entrypoint-initdb.d';
const READY_TIMEOUT_MS = 60_000;
const SCRIPT_TIMEOUT_MS = 600_000;

/** Host files of the image's init folder, in the order the image runs them (by name). */
export function initScripts(mounts: readonly VolumeMount[]): string[] {
  const files: { name: string; file: string }[] = [];
  for (const mount of mounts) {
    if (mount.type !== 'bind' || !mount.source) continue;
    const target = mount.target.replace(/\/+$/, '');
    if (target === INIT_DIR && isDirectory(mount.source)) {
      for (const name of readdirSync(mount.source)) files.push({ name, file: path.join(mount.source, name) });
    } else if (path.posix.dirname(target) === INIT_DIR) files.push({ name: path.posix.basename(target), file: mount.source });
  }
  return files.filter((f) => /\.(sql|sh)$/.test(f.name)).sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => f.file);
}

/**
 * Runs the image's init scripts (`*.sql` through psql, `*.sh` through sh) against a temporary server that
 * listens on the replica's socket only, as the image's entry point does on first start; the server is stopped
 * before the real one starts. Scripts run as berth's user (so that it can read them) with POSTGRES_USER and
 * POSTGRES_DB (defaults filled in), PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSWORD set; the first failure stops initialisation (RUNTIME_START_FAILED).
 */
export async function runInitScripts(args: PostgresInitArgs, scripts: readonly string[], context: PrepareContext): Promise<void> {
  const { input } = args;
  const server = startTempServer(args, context);
  try {
    await waitReady(args, context, () => server.running());
    const env = { ...input.env, POSTGRES_USER: args.superuser, POSTGRES_DB: args.database, PGHOST: input.runDir, PGPORT: String(input.port), PGUSER: args.superuser, PGDATABASE: args.database, PGPASSWORD: input.env.POSTGRES_PASSWORD ?? '' };
    for (const script of scripts) {
      context.log('e', `berth: running ${path.basename(script)}`);
      const sql = script.endsWith('.sql');
      await runTool({
        argv: sql ? [path.join(args.install.bin, 'psql'), '-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-f', '-'] : ['/bin/sh', script],
        ...(sql ? { input: readFileSync(script, 'utf8') } : {}),
        env, cwd: input.runDir, onLine: context.log, timeoutMs: SCRIPT_TIMEOUT_MS, ...(context.signal ? { signal: context.signal } : {}),
        what: `the init script ${script}`,
      });
    }
  } finally {
    await server.stop();
  }
}

function startTempServer(args: PostgresInitArgs, context: PrepareContext): { running(): boolean; stop(): Promise<void> } {
  const { input, user } = args;
  const child = spawn(path.join(args.install.bin, 'postgres'), [
    '-D', args.dataDir, '-p', String(input.port), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${input.runDir}`,
  ], { cwd: input.runDir, env: { ...input.env, PGDATA: args.dataDir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  for (const [stream, kind] of [[child.stdout, 'o'], [child.stderr, 'e']] as const) {
    const splitter = new LineSplitter();
    stream.on('data', (chunk: Buffer) => splitter.push(chunk).forEach((line) => context.log(kind, line)));
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    running: () => !done,
    stop: async () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child.pid, 'SIGINT');
      const timeout = new AbortController();
      await Promise.race([exited, delay(READY_TIMEOUT_MS, timeout.signal)]);
      timeout.abort();
      signalGroup(child.pid, 'SIGKILL');
    },
  };
}

async function waitReady(args: PostgresInitArgs, context: PrepareContext, running: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !context.signal?.aborted && running()) {
    const probe = await execProcess({
      command: { kind: 'exec', argv: [path.join(args.install.bin, 'pg_isready'), '-q', '-h', args.input.runDir, '-p', String(args.input.port), '-U', args.superuser, '-d', 'postgres'] },
      env: args.input.env, cwd: args.input.runDir, timeoutMs: 5000,
    });
    if (probe.exitCode === 0) return;
    await delay(100, context.signal);
  }
  throw new BerthError('RUNTIME_START_FAILED', `the temporary server for the init scripts ${running() ? 'did not become ready' : 'exited'}`, { hint: 'see the replica\'s log for postgres\'s own messages' });
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
