import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dependency, Service } from '../../src/model/stack.js';
import { ProcessRuntime } from '../../src/runtime/process/process-runtime.js';
import { testService, testStack } from '../../src/spec/validate/rules/test-stack.js';
import type { SupervisorEvent } from '../../src/supervisor/events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { until } from '../support/supervisor-harness.js';

const node = process.execPath;
const LONG_RUNNING = "console.log('up'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";
const dep = (condition: Dependency['condition']): Dependency => ({ condition, restart: false, required: true });

interface Fixture {
  readonly dir: string;
  readonly runtime: ProcessRuntime;
  readonly supervisor: Supervisor;
  readonly events: SupervisorEvent[];
}

let fixture: Fixture | undefined;

function open(): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-supervisor-'));
  const runtime = new ProcessRuntime({ stateDir: path.join(dir, '.berth') });
  const events: SupervisorEvent[] = [];
  fixture = { dir, runtime, events, supervisor: new Supervisor({ runtime, onEvent: (e) => events.push(e) }) };
  return fixture;
}

/** A service running `node -e script` in the project folder. */
function nodeService(dir: string, name: string, script: string, fields: Partial<Service> = {}): Service {
  return testService(name, { image: undefined, berth: { process: { command: [node, '-e', script], cwd: dir }, routes: [], other: {} }, stopGracePeriodMs: 3000, ...fields });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  if (!fixture) return;
  const { supervisor, runtime, dir } = fixture;
  fixture = undefined;
  await supervisor.down().catch(() => undefined);
  await supervisor.close();
  await runtime.stopOrphans();
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Supervisor on the process runtime (node scripts as services)', () => {
  it('brings a stack up in dependency order, restarts a killed replica, and takes it down dependents first', async () => {
    const { dir, runtime, supervisor, events } = open();
    const stack = testStack([
      nodeService(dir, 'db', `setTimeout(() => require('fs').writeFileSync('db-ready', ''), 300); ${LONG_RUNNING}`, {
        healthcheck: { test: { kind: 'exec', argv: [node, '-e', "process.exit(require('fs').existsSync('db-ready') ? 0 : 1)"] }, intervalMs: 100, timeoutMs: 5000, retries: 50, startPeriodMs: 0, startIntervalMs: 100 },
      }),
      nodeService(dir, 'migrate', "console.log('migrating'); setTimeout(() => process.exit(0), 100);", { dependsOn: { db: dep('service_healthy') } }),
      nodeService(dir, 'api', LONG_RUNNING, { restart: { kind: 'always' }, dependsOn: { db: dep('service_healthy'), migrate: dep('service_completed_successfully') } }),
      nodeService(dir, 'worker', LONG_RUNNING, { replicas: 2, dependsOn: { api: dep('service_started') } }),
    ], { name: 'itest', projectDir: dir });
    runtime.useStack(stack);

    expect(await supervisor.up(stack, { wait: true })).toEqual({ ok: true });
    const statuses = (service: string, status: string): number => events.findIndex((e) => e.type === 'status' && e.service === service && e.status === status);
    expect(statuses('api', 'starting')).toBeGreaterThan(statuses('migrate', 'exited'));
    expect(statuses('migrate', 'starting')).toBeGreaterThan(events.findIndex((e) => e.type === 'health' && e.service === 'db' && e.health === 'healthy'));
    expect(supervisor.status().map((r) => `${r.service}#${r.replica} ${r.status}`)).toEqual([
      'db#1 running', 'migrate#1 exited', 'api#1 running', 'worker#1 running', 'worker#2 running',
    ]);

    const before = supervisor.status().find((r) => r.service === 'api')?.pid ?? 0;
    process.kill(before, 'SIGKILL');
    const after = await until('api restarted', () => supervisor.status().find((r) => r.service === 'api' && r.status === 'running' && r.pid !== before), 10_000);
    expect(after.restarts).toBe(1);

    const pids = supervisor.status().flatMap((r) => (r.pid ? [r.pid] : []));
    const mark = events.length;
    await supervisor.down();
    const stops = events.slice(mark).flatMap((e) => (e.type === 'status' && e.status === 'stopped' ? [e.service] : []));
    expect(stops.indexOf('db')).toBeGreaterThan(stops.lastIndexOf('api'));
    expect(stops.indexOf('api')).toBeGreaterThan(stops.lastIndexOf('worker'));
    expect(pids.filter(alive)).toEqual([]);
    expect(supervisor.status()).toEqual([]);
  });

  it('fails up naming a failing migration with its real last log lines, and never starts its dependents', async () => {
    const { dir, runtime, supervisor } = open();
    const stack = testStack([
      nodeService(dir, 'migrate', "console.log('applying 0001_init'); console.error('relation tasks already exists'); process.exit(1);"),
      nodeService(dir, 'api', LONG_RUNNING, { dependsOn: { migrate: dep('service_completed_successfully') } }),
    ], { name: 'itest-fail', projectDir: dir });
    runtime.useStack(stack);
    const result = await supervisor.up(stack, { wait: false });
    expect(result).toMatchObject({ ok: false, failures: [{ service: 'migrate', code: 'SUPERVISOR_JOB_FAILED', reason: 'migrate exited with code 1; dependent api was not started' }] });
    if (!result.ok) expect(result.failures[0]?.logTail).toEqual(expect.arrayContaining(['applying 0001_init', 'relation tasks already exists']));
    expect(supervisor.status().find((r) => r.service === 'api')).toMatchObject({ status: 'created' });
  });
});
