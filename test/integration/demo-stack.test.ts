import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../golden/golden-cases.js';
import { freePort, groupAlive, TestProject, waitFor } from '../support/stack-helpers.js';

const EXAMPLE = path.resolve(FIXTURES, '../../examples/tasks');

let project: TestProject;
let port: number;
let proxyPort: number;

/** One request on a new connection (no keep-alive pool: a test kills replicas, and with them pooled connections). */
function http(method: string, url: string, body?: unknown, host?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(host ? { host } : {}) };
    const req = request(url, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the example stack (postgres, redis, migration job, 2 API replicas, worker) as local processes', () => {
  beforeAll(async () => {
    port = await freePort();
    proxyPort = await freePort();
    project = new TestProject({}, EXAMPLE);
    const up = project.run(['up', '-d', '--wait'], { API_PORT: String(port), BERTH_HTTP_PORT: String(proxyPort) });
    expect(up.status, up.stderr).toBe(0);
  }, 180_000);
  afterAll(() => project?.cleanup());

  it('comes up healthy in dependency order and the migration job completed', () => {
    const replicas = project.ps();
    const byName = Object.fromEntries(replicas.map((r) => [`${r.service}-${r.replica}`, r]));
    expect(byName['db-1']?.health).toBe('healthy');
    expect(byName['redis-1']?.health).toBe('healthy');
    expect(byName['api-1']?.health).toBe('healthy');
    expect(byName['api-2']?.health).toBe('healthy');
    expect(byName['migrate-1']?.status).toMatch(/completed|exited/);
    expect(byName['worker-1']?.status).toBe('running');
  });

  it('answers through its published port and writes to Postgres and Redis; the worker processes the task', async () => {
    const created = await http('POST', `http://127.0.0.1:${port}/tasks`, { title: 'write the closing note' });
    expect(created.status).toBe(201);
    const id = (created.json as { id: number }).id;
    const done = await waitFor('the worker to process the task', async () => {
      const list = await http('GET', `http://127.0.0.1:${port}/tasks`);
      const task = (list.json as { id: number; status: string }[]).find((t) => t.id === id);
      return task?.status === 'done' ? task : undefined;
    }, 30_000);
    expect(done.status).toBe('done');
  });

  it('balances the published port over both API replicas', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await http('GET', `http://127.0.0.1:${port}/`);
      seen.add(String((res.json as { replica?: string }).replica));
    }
    expect(seen.size).toBe(2);
  });

  it('routes tasks.localhost through the edge proxy to the API replicas, and answers 404 for other hosts', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await http('GET', `http://127.0.0.1:${proxyPort}/`, undefined, 'tasks.localhost');
      expect(res.status).toBe(200);
      seen.add(String((res.json as { replica?: string }).replica));
    }
    expect(seen.size).toBe(2);
    expect((await http('GET', `http://127.0.0.1:${proxyPort}/`, undefined, 'elsewhere.example')).status).toBe(404);
    const ps = project.run(['ps']).stdout;
    expect(ps).toContain(`edge proxy: http on port ${proxyPort}`);
    // `workers: auto` by default: one process per CPU serves the connections when there is more than one CPU.
    const cpus = Math.min(8, availableParallelism());
    if (cpus > 1) expect(ps).toContain(`(${cpus} worker processes)`);
  });

  it('restarts a killed API replica (on-failure) and keeps serving', async () => {
    const before = project.replica('api', 1);
    expect(before?.pid).toBeDefined();
    process.kill(before?.pid as number, 'SIGKILL');
    await waitFor('api-1 restarted and healthy', () => {
      const r = project.replica('api', 1);
      return r && r.pid !== before?.pid && r.health === 'healthy' ? r : undefined;
    }, 60_000);
    expect((await http('GET', `http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('keeps data across down and up, and loses it with down --volumes; down leaves no process behind even after the daemon was killed', async () => {
    await http('POST', `http://127.0.0.1:${port}/tasks`, { title: 'survives a restart' });
    const hitsBefore = ((await http('GET', `http://127.0.0.1:${port}/`)).json as { hits: number }).hits;
    expect(project.run(['down']).status).toBe(0);
    expect(project.run(['up', '-d', '--wait'], { API_PORT: String(port), BERTH_HTTP_PORT: String(proxyPort) }).status).toBe(0);
    const list = await http('GET', `http://127.0.0.1:${port}/tasks`);
    expect((list.json as { title: string }[]).map((t) => t.title)).toContain('survives a restart'); // Postgres rows
    const hitsAfter = ((await http('GET', `http://127.0.0.1:${port}/`)).json as { hits: number }).hits;
    expect(hitsAfter).toBe(hitsBefore + 1); // the Redis counter, from its append-only file

    const pids = project.ps().map((r) => r.pid).filter((p): p is number => typeof p === 'number');
    const daemon = JSON.parse(readFileSync(path.join(project.dir, '.berth/daemon.json'), 'utf8')) as { pid: number };
    process.kill(daemon.pid, 'SIGKILL');
    expect(pids.some((pid) => groupAlive(pid))).toBe(true); // the stack outlives its daemon…
    expect(project.run(['down', '--volumes']).status).toBe(0); // …and down still stops all of it
    await waitFor('every process group to be gone', () => pids.every((pid) => !groupAlive(pid)), 30_000);

    expect(project.run(['up', '-d', '--wait'], { API_PORT: String(port), BERTH_HTTP_PORT: String(proxyPort) }).status).toBe(0);
    const fresh = await http('GET', `http://127.0.0.1:${port}/tasks`);
    expect(fresh.json).toEqual([]);
  }, 180_000);
});
