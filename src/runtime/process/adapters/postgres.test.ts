import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, conformanceService } from '../../conformance.js';
import type { Instance } from '../../runtime.js';
import { ProcessRuntime } from '../process-runtime.js';
import { eventually, specOf, tempProject } from '../test-helpers.js';

const run = promisify(execFile);
const project = tempProject('berth-pg-');
const runtime = new ProcessRuntime({ stateDir: project.stateDir });
const service = conformanceService('db', {
  image: 'postgres:16-alpine',
  command: ['postgres', '-c', 'max_connections=42'],
  environment: {
    POSTGRES_USER: 'app', POSTGRES_PASSWORD: 's3cret', POSTGRES_DB: 'shop', PGDATA: '/var/lib/postgresql/data/pgdata',
    // Tests need not wait for fsync; users get the image's default.
    POSTGRES_INITDB_ARGS: '--no-sync',
  },
  volumes: [{ type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data', readOnly: false, volume: { nocopy: false } }],
});
let instance: Instance;
const address = runtime.serviceAddress('demo', 'db');

/** The seed stacks' healthcheck, as the supervisor runs it. */
async function waitHealthy(): Promise<void> {
  const probe = () => runtime.exec(instance.id, { kind: 'shell', command: 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"' }, { timeoutMs: 5000 });
  expect(await eventually(probe, (r) => r.exitCode === 0)).toMatchObject({ exitCode: 0 });
}

async function sql(query: string, password = 's3cret'): Promise<string> {
  const { stdout } = await run('psql', ['-h', address, '-p', '5432', '-U', 'app', '-d', 'shop', '-tAc', query], { env: { ...process.env, PGPASSWORD: password }, timeout: 10_000 });
  return stdout.trim();
}

beforeAll(async () => {
  instance = await runtime.create(specOf({ projectDir: project.dir, service }));
  instance = await runtime.start(instance.id);
  await waitHealthy();
}, 60_000);

afterAll(async () => {
  await runtime.stopOrphans();
  await runtime.close();
  project.remove();
});

describe('postgres image adapter', () => {
  it('initialises the database in the volume folder, keeping the PGDATA subpath', () => {
    const data = path.join(project.stateDir, 'volumes', 'db-data', 'pgdata');
    expect(existsSync(path.join(data, 'PG_VERSION'))).toBe(true);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) expect(statSync(data).uid).not.toBe(0);
  });

  it('serves POSTGRES_DB to POSTGRES_USER with its password through the service address, with the command\'s settings', async () => {
    expect(await sql('SELECT current_user || \'@\' || current_database()')).toBe('app@shop');
    expect(await sql('SHOW max_connections')).toBe('42');
    expect(await sql('SHOW listen_addresses')).toBe('127.0.0.1');
    await expect(sql('SELECT 1', 'wrong')).rejects.toThrow(/password authentication failed/);
  });

  it('lets healthchecks reach the replica with psql and pg_isready without a password', async () => {
    const result = await runtime.exec(instance.id, { kind: 'exec', argv: ['psql', '-tAc', 'SELECT current_database()'] }, { timeoutMs: 5000 });
    expect(result).toMatchObject({ exitCode: 0, output: 'shop\n' });
  });

  it('keeps the data across a stop and a start, without initialising again', async () => {
    await sql('CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)');
    const exit = await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 20_000 });
    expect(exit).toMatchObject({ code: 0 });
    instance = await runtime.start(instance.id);
    await waitHealthy();
    expect(await sql('SELECT x FROM kept')).toBe('7');
    const log = (await collect(runtime.logs(instance.id, { follow: false }))).map((l) => l.text);
    expect(log.filter((l) => l.includes('Skipping initialization'))).toHaveLength(1);
    expect(log.filter((l) => l.includes('init process complete'))).toHaveLength(1);
  }, 60_000);
});

describe('postgres image adapter init scripts', () => {
  const initProject = tempProject('berth-pg-init-');
  const initRuntime = new ProcessRuntime({ stateDir: initProject.stateDir });
  const scripts = path.join(initProject.dir, 'initdb');
  mkdirSync(scripts);
  writeFileSync(path.join(scripts, '01-schema.sql'), 'CREATE TABLE items (name text);\nCREATE FUNCTION twice(x int) RETURNS int AS $$\n  SELECT x * 2;\n$$ LANGUAGE sql;\n');
  writeFileSync(path.join(scripts, '02-seed.sh'), 'psql -v ON_ERROR_STOP=1 -c "INSERT INTO items VALUES (\'from sh as $POSTGRES_USER\')"\n');
  writeFileSync(path.join(scripts, 'README.md'), 'not a script');
  writeFileSync(path.join(initProject.dir, 'first.sql'), "INSERT INTO pg_temp_not_there VALUES (1);\n");
  const base = {
    image: 'postgres',
    environment: { POSTGRES_PASSWORD: 'pw', POSTGRES_DB: 'app', POSTGRES_INITDB_ARGS: '--no-sync' },
  };

  afterAll(async () => {
    await initRuntime.stopOrphans();
    await initRuntime.close();
    initProject.remove();
  });

  it('runs the scripts mounted into /docker-entrypoint-initdb.d on the first start, in name order', async () => {
    const db = conformanceService('db', { ...base, volumes: [{ type: 'bind', source: scripts, target: '/docker-entrypoint-initdb.d', readOnly: true }] });
    const started = await initRuntime.start((await initRuntime.create(specOf({ stack: 'initdemo', projectDir: initProject.dir, service: db }))).id);
    const query = async (): Promise<string> => (await initRuntime.exec(started.id, { kind: 'exec', argv: ['psql', '-tAc', 'SELECT name || twice(21) FROM items'] }, { timeoutMs: 5000 })).output.trim();
    expect(await eventually(query, (answer) => answer === 'from sh as postgres42')).toBe('from sh as postgres42');
  }, 60_000);

  it('fails the start when a script fails: RUNTIME_START_FAILED', async () => {
    const db = conformanceService('broken', { ...base, volumes: [{ type: 'bind', source: path.join(initProject.dir, 'first.sql'), target: '/docker-entrypoint-initdb.d/first.sql', readOnly: true }] });
    const instance = await initRuntime.create(specOf({ stack: 'initdemo', projectDir: initProject.dir, service: db }));
    await expect(initRuntime.start(instance.id)).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED', message: expect.stringContaining('first.sql') });
  }, 60_000);
});
