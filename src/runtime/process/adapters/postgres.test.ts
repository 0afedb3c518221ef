import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, conformanceService } from '../../conformance.js';
import type { Instance } from '../../runtime.js';
import { ProcessRuntime } from '../process-runtime.js';
import { waitFor } from '../spawn/process-group.js';
import { specOf, tempProject } from '../test-helpers.js';

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

async function healthy(): Promise<boolean> {
  const probe = await runtime.exec(instance.id, { kind: 'shell', command: 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"' }, { timeoutMs: 5000 });
  return probe.exitCode === 0;
}

async function waitHealthy(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await healthy()) return;
    await waitFor(() => false, { timeoutMs: 100 });
  }
  throw new Error('postgres did not become ready within 30 s');
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
