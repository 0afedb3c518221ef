// The example stack's app (examples/tasks/api), run for real without berth: a real Postgres and Redis on free
// ports, the compose file's own commands for migrate, api (2 replicas) and worker, rewritten as berth rewrites them
// (--host 0.0.0.0 → 127.0.0.1, --port 8000 → the replica's port). Proves the example is correct on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/model/stack.js';
import { loadStack } from '../../src/spec/load.js';
import { defaultProjectOptions } from '../../src/spec/project-options.js';
import { waitFor } from '../support/stack-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = path.join(ROOT, 'examples/tasks');
const PASSWORD = 'p@ss/w:rd'; // must be percent-encoded in DATABASE_URL: proves the app decodes the URL
const PG_BIN = path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1) ?? '15', 'bin');
const pg = (program: string): string => path.join(PG_BIN, program);

interface Exit { readonly code: number | null; readonly signal: NodeJS.Signals | null }
interface Task { id: number; title: string; status: string; processed_at: string | null; processed_by: string | null }

/** A child process whose output is kept (for waits and failure messages) and whose exit can be awaited. */
class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  output = '';
  exit: Exit | undefined;

  constructor(readonly name: string, argv: readonly string[], options: { cwd?: string; env?: Record<string, string>; asPostgres?: boolean }) {
    const [file = '', ...args] = argv;
    this.child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.asPostgres ? POSTGRES_USER : {}),
    });
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-100_000); };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve((this.exit = { code, signal })));
      this.child.on('error', (error) => { keep(Buffer.from(String(error))); resolve((this.exit = { code: null, signal: null })); });
    });
  }

  /** Sends `signal`, then SIGKILL if it has not exited within `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try { return await this.exited; } finally { clearTimeout(timer); }
  }
}

/** Run as the postgres user when we are root: PostgreSQL refuses to run as root. */
const POSTGRES_USER: { uid?: number; gid?: number } = (() => {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, but there is no postgres user (apt-get install postgresql)');
  return { uid: Number(uid), gid: Number(gid) };
})();

/** `count` distinct free ports: all are held open until each is known, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function request(port: number, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, json: await response.json() };
}

/** The command rewrite berth applies to a replica: `--host 0.0.0.0` → 127.0.0.1, `--port 8000` → its own port. */
function asReplica(argv: readonly string[], port: number): string[] {
  return argv.map((token, i) => {
    if (argv[i - 1] === '--port' && token === '8000') return String(port);
    if (argv[i - 1] === '--host' && token === '0.0.0.0') return '127.0.0.1';
    return token;
  });
}

const isAlive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
};

describe('examples/tasks app on a real Postgres and Redis', () => {
  const suiteProcs: Proc[] = [];
  const testProcs: Proc[] = [];
  let tmp = '';
  let pgPort = 0;
  let redisPort = 0;
  let closedPort = 0; // nothing listens there
  let postgres: Proc;
  let redis: Proc;
  let apiPorts: number[] = [];
  const services = loadStack(defaultProjectOptions({ workingDirectory: EXAMPLE, environment: {} })).stack.services;
  const service = (name: string): Service => {
    const found = services[name];
    if (!found?.command || !found.build) throw new Error(`examples/tasks: ${name} needs a command and a build context`);
    return found;
  };

  const databaseUrl = (db = 'tasks', port = pgPort): string => `postgresql://tasks:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${db}`;
  const appEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DATABASE_URL: databaseUrl(),
    REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    LOG_LEVEL: 'info',
    PYTHONDONTWRITEBYTECODE: '1', // keep the example folder clean; logs must reach a pipe without PYTHONUNBUFFERED
    ...extra,
  });
  /** Starts a process that the current test owns (stopped in afterEach) or the suite owns (stopped in afterAll). */
  const start = (owner: Proc[], ...args: ConstructorParameters<typeof Proc>): Proc => {
    const proc = new Proc(...args);
    owner.push(proc);
    return proc;
  };
  /** Runs one of the compose file's commands, from the service's build context as berth runs it. */
  const startService = (owner: Proc[], name: string, env: Record<string, string> = {}, rewrite = (argv: readonly string[]) => argv): Proc => {
    const spec = service(name);
    return start(owner, name, rewrite(spec.command ?? []), { cwd: spec.build?.context, env: appEnv(env) });
  };
  const runToEnd = async (proc: Proc, timeoutMs = 40_000): Promise<Exit> => {
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
    try { return await proc.exited; } finally { clearTimeout(timer); }
  };
  const mustSucceed = async (proc: Proc): Promise<void> => {
    const exit = await runToEnd(proc);
    if (exit.code !== 0) throw new Error(`${proc.name} failed (${JSON.stringify(exit)}):\n${proc.output}`);
  };
  const startPostgres = (): Proc => {
    const argv = [pg('postgres'), '-D', path.join(tmp, 'pgdata'), '-p', String(pgPort), '-k', tmp];
    return start(suiteProcs, 'postgres', [...argv, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { asPostgres: true });
  };
  const startRedis = (): Proc => {
    const argv = ['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp];
    return start(suiteProcs, 'redis', argv, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  };
  const pgAt = ['-h', '127.0.0.1', '-p'];
  const pgIsReady = async (): Promise<true | undefined> => {
    const exit = await runToEnd(new Proc('pg_isready', [pg('pg_isready'), '-q', ...pgAt, String(pgPort)], {}));
    return exit.code === 0 ? true : undefined;
  };
  const createdb = (name: string): Promise<void> =>
    mustSucceed(new Proc('createdb', [pg('createdb'), ...pgAt, String(pgPort), '-U', 'tasks', name], { env: { PGPASSWORD: PASSWORD } }));
  const health = (port: number) => async (): Promise<unknown> => {
    const r = await request(port, 'GET', '/health');
    return r.status === 200 ? r.json : undefined;
  };
  const task = async (id: number): Promise<Task | undefined> =>
    ((await request(apiPorts[0] ?? 0, 'GET', '/tasks')).json as Task[]).find((t) => t.id === id);
  const postTask = async (title: string): Promise<Task & { served_by: Record<string, unknown> }> => {
    const created = await request(apiPorts[0] ?? 0, 'POST', '/tasks', { title });
    expect(created.status).toBe(201);
    return created.json as Task & { served_by: Record<string, unknown> };
  };

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-example-'));
    chmodSync(tmp, 0o755);
    writeFileSync(path.join(tmp, 'pw'), `${PASSWORD}\n`);
    if (POSTGRES_USER.uid !== undefined) for (const p of [tmp, path.join(tmp, 'pw')]) chownSync(p, POSTGRES_USER.uid, POSTGRES_USER.gid ?? 0);
    [pgPort = 0, redisPort = 0, closedPort = 0, ...apiPorts] = await freePorts(5);
    const initdb = [pg('initdb'), '-D', path.join(tmp, 'pgdata'), '-U', 'tasks', '-E', 'UTF8', '--no-sync'];
    await mustSucceed(new Proc('initdb', [...initdb, '--auth=scram-sha-256', `--pwfile=${path.join(tmp, 'pw')}`], { asPostgres: true }));
    postgres = startPostgres();
    redis = startRedis();
    await waitFor('postgres accepting connections', pgIsReady);
    await createdb('tasks');
    await mustSucceed(startService(suiteProcs, 'migrate'));
    for (const [index, port] of apiPorts.entries()) {
      const env = { BERTH_SERVICE: 'api', BERTH_REPLICA: String(index + 1), BERTH_RELEASE: 'r1', PORT: String(port), HOST: '127.0.0.1' };
      startService(suiteProcs, 'api', env, (argv) => asReplica(argv, port));
    }
    await Promise.all(apiPorts.map((port) => waitFor(`api on ${port} healthy`, health(port), 20_000)));
  });

  afterEach(async () => {
    const procs = testProcs.splice(0);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    expect(procs.filter((p) => isAlive(p.child.pid)).map((p) => p.name)).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(suiteProcs.map((p) => p.stop(p.name === 'postgres' ? 'SIGINT' : 'SIGTERM')));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    expect(suiteProcs.filter((p) => isAlive(p.child.pid)).map((p) => p.name)).toEqual([]);
  });

  it('migrate.py is idempotent, waits for a database that appears late, and fails clearly when Postgres is unreachable', async () => {
    await mustSucceed(startService(testProcs, 'migrate'));
    const late = startService(testProcs, 'migrate', { DATABASE_URL: databaseUrl('late') });
    await waitFor('migrate waiting for the database', () => (late.output.includes('waiting for postgres') ? true : undefined));
    await createdb('late');
    await mustSucceed(late);
    const unreachable = startService(testProcs, 'migrate', { DATABASE_URL: databaseUrl('tasks', closedPort), MIGRATE_WAIT_SECONDS: '1' });
    expect((await runToEnd(unreachable)).code).toBe(1);
    expect(unreachable.output).toMatch(/ERROR migrate: cannot reach postgres at 127\.0\.0\.1:\d+ after 1 s/);
  });

  it('answers /health with 200 {"status":"ok"} on both replicas, and the compose curl healthcheck passes', async () => {
    for (const port of apiPorts) expect(await request(port, 'GET', '/health')).toEqual({ status: 200, json: { status: 'ok' } });
    const test = service('api').healthcheck?.test;
    expect(test?.kind).toBe('exec');
    const argv = test?.kind === 'exec' ? test.argv.map((t) => t.replace('localhost:8000', `localhost:${apiPorts[1]}`)) : [];
    expect((await runToEnd(start(testProcs, 'healthcheck', argv, {}))).code).toBe(0);
  });

  it('describes the replica on GET / and counts hits in Redis across replicas', async () => {
    const first = (await request(apiPorts[0] ?? 0, 'GET', '/')).json as { hits: number };
    const second = (await request(apiPorts[1] ?? 0, 'GET', '/')).json as { hits: number };
    expect(first).toMatchObject({ app: 'tasks', service: 'api', replica: '1', release: 'r1', port: String(apiPorts[0]) });
    expect(second).toMatchObject({ service: 'api', replica: '2', port: String(apiPorts[1]) });
    expect(second.hits).toBe(first.hits + 1);
  });

  it('stores a POSTed task, lists it from either replica, and the worker marks it done', async () => {
    startService(testProcs, 'worker', { BERTH_SERVICE: 'worker', BERTH_REPLICA: '1' });
    const created = await postTask('write the report');
    expect(created).toMatchObject({ title: 'write the report', status: 'queued', served_by: { service: 'api', replica: '1', port: String(apiPorts[0]) } });
    const listed = (await request(apiPorts[1] ?? 0, 'GET', '/tasks')).json as Task[];
    expect(listed.map((t) => t.id)).toContain(created.id);
    const done = await waitFor('the worker to mark the task done', async () => ((await task(created.id))?.status === 'done' ? task(created.id) : undefined));
    expect(done).toMatchObject({ status: 'done', processed_by: expect.stringMatching(/^worker\.1\/\d+$/) as unknown });
    expect(done?.processed_at).toBeTruthy();
  });

  it('rejects a missing or blank title with 422', async () => {
    expect((await request(apiPorts[0] ?? 0, 'POST', '/tasks', {})).status).toBe(422);
    expect((await request(apiPorts[0] ?? 0, 'POST', '/tasks', { title: '   ' })).status).toBe(422);
  });

  it('answers /health 503 naming redis while Redis is down, and recovers with the worker when it is back', async () => {
    const worker = startService(testProcs, 'worker');
    await waitFor('worker ready', () => (worker.output.includes('waiting for tasks') ? true : undefined));
    expect(await redis.stop('SIGTERM')).toMatchObject({ code: 0 });
    const down = await request(apiPorts[0] ?? 0, 'GET', '/health');
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ status: 'unavailable', failing: { redis: expect.stringContaining('Connection refused') as unknown } });
    expect((await request(apiPorts[0] ?? 0, 'POST', '/tasks', { title: 'lost?' })).status).toBe(503);
    redis = startRedis();
    await Promise.all(apiPorts.map((port) => waitFor(`api on ${port} healthy again`, health(port))));
    const created = await postTask('after the outage');
    await waitFor('the worker to reconnect and finish the task', async () => ((await task(created.id))?.status === 'done' ? true : undefined));
  });

  it('answers /health 503 naming postgres while Postgres is down, and 200 once it is back', async () => {
    expect((await postgres.stop('SIGINT')).code).toBe(0);
    const down = await request(apiPorts[1] ?? 0, 'GET', '/health');
    expect(down).toMatchObject({ status: 503, json: { status: 'unavailable', failing: { postgres: expect.any(String) as unknown } } });
    postgres = startPostgres();
    await Promise.all(apiPorts.map((port) => waitFor(`api on ${port} healthy again`, health(port))));
    expect((await request(apiPorts[1] ?? 0, 'GET', '/tasks')).status).toBe(200);
  });

  it('stops an idle worker on SIGTERM with exit 0', async () => {
    const worker = startService(testProcs, 'worker');
    await waitFor('worker ready', () => (worker.output.includes('waiting for tasks') ? true : undefined));
    expect(await worker.stop('SIGTERM', 5_000)).toEqual({ code: 0, signal: null });
    expect(worker.output).toContain('received SIGTERM');
  });

  it('finishes the task in hand on SIGTERM, then exits 0', async () => {
    const worker = startService(testProcs, 'worker', { TASK_SECONDS: '1' });
    await waitFor('worker ready', () => (worker.output.includes('waiting for tasks') ? true : undefined));
    const created = await postTask('slow one');
    await waitFor('the worker to take the task', () => (worker.output.includes(`task ${created.id} taken`) ? true : undefined));
    expect(await worker.stop('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    expect(worker.output.indexOf('received SIGTERM')).toBeLessThan(worker.output.indexOf(`task ${created.id} done`));
    expect((await task(created.id))?.status).toBe('done');
  });
});

describe('scripts/check-demo-deps.js', () => {
  interface Report { ok: boolean; missing: { what: string; pkg: string }[]; packages: string[]; installCommand: string | null }
  interface DepsModule { checkDemoDeps(options?: { postgresRoot?: string; python?: string; path?: string }): Report; formatMissing(report: Report): string }
  const load = async (): Promise<DepsModule> => (await import(pathToFileURL(path.join(ROOT, 'scripts/check-demo-deps.js')).href)) as DepsModule;
  let fake = '';
  afterEach(() => { if (fake) rmSync(fake, { recursive: true, force: true }); });

  it('finds everything the demo needs on this machine (the CLI exits 0)', async () => {
    expect((await load()).checkDemoDeps()).toMatchObject({ ok: true, missing: [], installCommand: null });
    const cli = new Proc('check-demo-deps', [process.execPath, path.join(ROOT, 'scripts/check-demo-deps.js')], { env: { PATH: process.env.PATH ?? '' } });
    expect((await cli.exited).code).toBe(0);
  });

  it('names each missing thing and prints one apt-get line that installs them all', async () => {
    fake = mkdtempSync(path.join(os.tmpdir(), 'berth-deps-'));
    const executable = (file: string, text = '#!/bin/sh\n'): void => { mkdirSync(path.dirname(file), { recursive: true }); writeFileSync(file, text, { mode: 0o755 }); };
    executable(path.join(fake, 'bin/redis-server'));
    executable(path.join(fake, 'python3'), '#!/bin/sh\necho uvicorn\n'); // "uvicorn cannot be imported"
    const { checkDemoDeps, formatMissing } = await load();
    const report = checkDemoDeps({ postgresRoot: path.join(fake, 'no-postgres'), python: path.join(fake, 'python3'), path: path.join(fake, 'bin') });
    expect(report.ok).toBe(false);
    expect(report.packages).toEqual(['postgresql', 'postgresql-client', 'redis-tools', 'curl', 'python3-uvicorn']);
    expect(report.installCommand).toBe('sudo apt-get install -y postgresql postgresql-client redis-tools curl python3-uvicorn');
    const text = formatMissing(report);
    expect(text).toContain('redis-cli  (Debian package redis-tools)');
    expect(text.match(/apt-get/g)).toHaveLength(1);
    for (const name of ['initdb', 'postgres']) executable(path.join(fake, 'pg/15/bin', name));
    expect(checkDemoDeps({ postgresRoot: path.join(fake, 'pg'), python: path.join(fake, 'python3'), path: path.join(fake, 'bin') }).packages).not.toContain('postgresql');
  });
});
