import { afterEach, describe, expect, it } from 'vitest';
import type { Dependency } from '../model/stack.js';
import { testStack } from '../spec/validate/rules/test-stack.js';
import { healthcheck, SupervisorHarness, svc, until } from '../../test/support/supervisor-harness.js';
import { upFailureError } from './supervisor.js';

const dep = (condition: Dependency['condition'], fields: Partial<Dependency> = {}): Dependency => ({ condition, restart: false, required: true, ...fields });

let h: SupervisorHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Supervisor.up: start order and dependency gates', () => {
  it('starts a dependent only after its dependency started, and independent branches without waiting for each other', async () => {
    h = new SupervisorHarness({ behaviors: { db: { startDelayMs: 1000 } } });
    const stack = testStack([svc('db'), svc('cache'), svc('api', { dependsOn: { db: dep('service_started') } })]);
    const up = h.supervisor.up(stack, { wait: false });
    await h.until('cache', (v) => v.status === 'running');
    expect(h.view('db')?.status).toBe('starting');
    expect(h.view('api')?.status).toBe('created');
    await h.advance(1000);
    expect(await up).toEqual({ ok: true });
    expect(h.runtime.calls.indexOf('start api#1')).toBeGreaterThan(h.runtime.calls.indexOf('start db#1'));
    expect(h.view('api')?.status).toBe('running');
  });

  it('starts the replicas of one service in parallel', async () => {
    h = new SupervisorHarness({ behaviors: { worker: { startDelayMs: 1000 } } });
    const up = h.supervisor.up(testStack([svc('worker', { replicas: 3 })]), { wait: false });
    await until('three starts', () => h?.runtime.calls.filter((c) => c.startsWith('start')).length === 3);
    await h.advance(1000); // one start delay for all three: sequential starts would need three
    expect(await up).toEqual({ ok: true });
    expect(h.supervisor.status().map((r) => `${r.service}#${r.replica} ${r.status}`)).toEqual(['worker#1 running', 'worker#2 running', 'worker#3 running']);
  });

  it('waits for service_healthy until the dependency passes its healthcheck', async () => {
    h = new SupervisorHarness();
    h.runtime.setHealthy('db', false);
    const stack = testStack([svc('db', { healthcheck: healthcheck(1000, 10) }), svc('api', { dependsOn: { db: dep('service_healthy') } })]);
    const up = h.supervisor.up(stack, { wait: false });
    await h.until('api', (v) => v.status === 'waiting');
    await h.advance(2000);
    expect(h.view('db')).toMatchObject({ status: 'running', health: 'starting', healthReason: 'exit code 1: not ready' });
    expect(h.view('api')?.status).toBe('waiting');
    h.runtime.setHealthy('db', true);
    await h.advance(1000);
    expect(await up).toEqual({ ok: true });
    expect(h.view('db')?.health).toBe('healthy');
    expect(h.view('api')?.status).toBe('running');
  });

  it('never starts the dependents of a failing job and names the job, its exit and its last log lines', async () => {
    h = new SupervisorHarness({ behaviors: { migrate: { exitAfterMs: 500, exitCode: 1, stdout: ['applying 0001_init'], stderr: ['relation tasks already exists'] } } });
    const stack = testStack([
      svc('migrate'),
      svc('api', { dependsOn: { migrate: dep('service_completed_successfully') } }),
      svc('worker', { dependsOn: { migrate: dep('service_completed_successfully') } }),
      svc('front', { dependsOn: { api: dep('service_started') } }),
    ]);
    const up = h.supervisor.up(stack, { wait: false });
    await h.until('migrate', (v) => v.status === 'running');
    await h.advance(500);
    const result = await up;
    expect(result).toEqual({
      ok: false,
      failures: [{
        service: 'migrate',
        code: 'SUPERVISOR_JOB_FAILED',
        reason: 'migrate exited with code 1; dependents api, worker, front were not started',
        logTail: ['applying 0001_init', 'relation tasks already exists'],
      }],
    });
    expect(h.view('api')).toMatchObject({ status: 'created', detail: 'not started: migrate exited with code 1' });
    expect(h.runtime.calls.filter((c) => c.startsWith('start'))).toEqual(['start migrate#1']);
    if (result.ok) return;
    const error = upFailureError(result);
    expect(error.code).toBe('SUPERVISOR_JOB_FAILED');
    expect(error.message).toBe('migrate exited with code 1; dependents api, worker, front were not started');
    expect(error.hint).toBe('see: berth logs migrate');
  });

  it('starts dependents once a job completed with exit 0', async () => {
    h = new SupervisorHarness({ behaviors: { migrate: { exitAfterMs: 300, exitCode: 0 } } });
    const stack = testStack([svc('migrate'), svc('api', { dependsOn: { migrate: dep('service_completed_successfully') } })]);
    const up = h.supervisor.up(stack, { wait: true });
    await h.until('migrate', (v) => v.status === 'running');
    await h.advance(300);
    expect(await up).toEqual({ ok: true });
    expect(h.view('migrate')).toMatchObject({ status: 'exited', exit: { code: 0 } });
    expect(h.view('api')?.status).toBe('running');
  });

  it('does not block on an optional dependency that failed, and warns about it', async () => {
    h = new SupervisorHarness({ behaviors: { seed: { exitAfterMs: 0, exitCode: 2 } } });
    const stack = testStack([svc('seed'), svc('api', { dependsOn: { seed: dep('service_completed_successfully', { required: false }) } })]);
    expect(await h.supervisor.up(stack, { wait: false })).toEqual({ ok: true });
    expect(h.view('api')?.status).toBe('running');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'warning', service: 'seed', message: 'optional dependency seed is not ready: seed exited with code 2' }));
  });

  it('fails a service_healthy gate on a dependency without healthcheck, as compose does', async () => {
    h = new SupervisorHarness();
    const stack = testStack([svc('db'), svc('api', { dependsOn: { db: dep('service_healthy') } })]);
    const result = await h.supervisor.up(stack, { wait: false });
    expect(result).toMatchObject({ ok: false, failures: [{ service: 'db', code: 'SUPERVISOR_DEPENDENCY', reason: 'db has no healthcheck, so it can never be healthy; dependent api was not started' }] });
  });

  it('fails up --wait naming a dependency that never turns healthy, after its retries', async () => {
    h = new SupervisorHarness();
    h.runtime.setHealthy('db', false);
    const stack = testStack([svc('db', { healthcheck: healthcheck(200, 3) }), svc('api', { dependsOn: { db: dep('service_healthy') } })]);
    const up = h.supervisor.up(stack, { wait: true });
    await h.until('api', (v) => v.status === 'waiting');
    await h.advance(400);
    expect(h.view('db')?.health).toBe('starting'); // two failures so far: retries is 3
    await h.advance(200);
    const result = await up;
    expect(result).toMatchObject({ ok: false, failures: [{ service: 'db', code: 'SUPERVISOR_UNHEALTHY', reason: 'db is unhealthy: exit code 1: not ready; dependent api was not started' }] });
    expect(h.view('db')).toMatchObject({ status: 'running', health: 'unhealthy' });
  });

  it('reports replicas that could not be started, and skips what depends on them', async () => {
    h = new SupervisorHarness({ behaviors: { db: { startError: 'spawn postgres ENOENT' } } });
    const stack = testStack([svc('db'), svc('api', { dependsOn: { db: dep('service_started') } })]);
    const result = await h.supervisor.up(stack, { wait: false });
    expect(result).toMatchObject({ ok: false, failures: [{ service: 'db', code: 'SUPERVISOR_START_FAILED', reason: 'db#1 could not be started: spawn postgres ENOENT; dependent api was not started' }] });
    expect(h.view('db')).toMatchObject({ status: 'failed', detail: 'could not start: spawn postgres ENOENT' });
  });

  it('times out a gate that never resolves, blaming the dependency', async () => {
    h = new SupervisorHarness({ timeouts: { gateMs: 5000 } });
    const stack = testStack([svc('job'), svc('api', { dependsOn: { job: dep('service_completed_successfully') } })]);
    const up = h.supervisor.up(stack, { wait: false });
    await h.until('api', (v) => v.status === 'waiting');
    await h.advance(5000, 1000);
    expect(await up).toMatchObject({ ok: false, failures: [{ service: 'job', code: 'SUPERVISOR_TIMEOUT', reason: 'timed out after 5s waiting for job completed; dependent api was not started' }] });
  });

  it('rejects with SUPERVISOR_ABORTED when the caller cancels a waiting up', async () => {
    h = new SupervisorHarness();
    const controller = new AbortController();
    const stack = testStack([svc('job'), svc('api', { dependsOn: { job: dep('service_completed_successfully') } })]);
    const up = h.supervisor.up(stack, { wait: false, signal: controller.signal });
    await h.until('api', (v) => v.status === 'waiting');
    controller.abort();
    await expect(up).rejects.toMatchObject({ code: 'SUPERVISOR_ABORTED' });
    expect(h.view('api')).toMatchObject({ status: 'created', detail: 'not started: cancelled' });
  });

  it('rejects unknown services with SUPERVISOR_UNKNOWN_SERVICE', async () => {
    h = new SupervisorHarness();
    await expect(h.supervisor.up(testStack([svc('db')]), { wait: false, services: ['dbb'] })).rejects.toMatchObject({ code: 'SUPERVISOR_UNKNOWN_SERVICE' });
  });

  it('reports progress to the caller: the plan, steps, waits and statuses', async () => {
    h = new SupervisorHarness();
    const seen: string[] = [];
    const stack = testStack([svc('db'), svc('api', { dependsOn: { db: dep('service_started') } })]);
    await h.supervisor.up(stack, { wait: false, onEvent: (e) => seen.push(e.type === 'status' ? `${e.service} ${e.status}` : e.type) });
    expect(seen[0]).toBe('plan');
    expect(seen).toContain('waiting');
    expect(seen.filter((s) => s.startsWith('api '))).toEqual(['api waiting', 'api starting', 'api running']);
    expect(h.events.find((e) => e.type === 'plan')).toMatchObject({ text: expect.stringContaining('start api#1      after create api#1, db started') });
  });
});

describe('Supervisor.up --wait', () => {
  it('does not pass up --wait on the instant a crash-looping replica without healthcheck runs', async () => {
    h = new SupervisorHarness({ behaviors: { web: { exitAfterMs: 20, exitCode: 1 } }, timeouts: { settleMs: 1000 } });
    const up = h.supervisor.up(testStack([svc('web', { restart: { kind: 'always' } })]), { wait: true });
    await h.until('web', (v) => v.status === 'running');
    await h.advance(20 + 100 + 20 + 200 + 20 + 400 + 20 + 800 + 20, 10);
    expect(await up).toMatchObject({ ok: false, failures: [{ service: 'web', code: 'SUPERVISOR_EXITED', reason: 'web#1 keeps crashing (crash loop: 5 exits in 30s)' }] });
  });

  it('passes up --wait once a replica without healthcheck has run for the settle time', async () => {
    h = new SupervisorHarness({ timeouts: { settleMs: 1000 } });
    let done = false;
    const up = h.supervisor.up(testStack([svc('web')]), { wait: true }).then((r) => {
      done = true;
      return r;
    });
    await h.until('web', (v) => v.status === 'running');
    await h.advance(900);
    expect(done).toBe(false);
    await h.advance(100);
    expect(await up).toEqual({ ok: true });
  });

  it('resolves once every replica is running, healthy or completed', async () => {
    h = new SupervisorHarness({ behaviors: { job: { exitAfterMs: 100, exitCode: 0 } } });
    const stack = testStack([svc('db', { healthcheck: healthcheck(500) }), svc('web'), svc('job')]);
    let done = false;
    const up = h.supervisor.up(stack, { wait: true }).then((r) => {
      done = true;
      return r;
    });
    await h.until('web', (v) => v.status === 'running');
    await h.advance(100);
    expect(done).toBe(false);
    await h.advance(500);
    expect(await up).toEqual({ ok: true });
  });

  it('fails when a replica keeps crashing before it is healthy', async () => {
    h = new SupervisorHarness({ behaviors: { web: { exitAfterMs: 10, exitCode: 1 } } });
    const up = h.supervisor.up(testStack([svc('web', { restart: { kind: 'always' }, healthcheck: healthcheck(1000) })]), { wait: true });
    await h.until('web', (v) => v.status === 'running');
    await h.advance(5000, 10);
    expect(await up).toMatchObject({ ok: false, failures: [{ service: 'web', code: 'SUPERVISOR_EXITED', reason: 'web#1 keeps crashing (crash loop: 5 exits in 30s)' }] });
  });

  it('fails with SUPERVISOR_TIMEOUT when a replica stays unready past the deadline', async () => {
    h = new SupervisorHarness({ timeouts: { waitMs: 3000 } });
    h.runtime.setHealthy('db', false);
    const up = h.supervisor.up(testStack([svc('db', { healthcheck: { ...healthcheck(1000, 100) } })]), { wait: true });
    await h.until('db', (v) => v.status === 'running');
    await h.advance(3000, 500);
    expect(await up).toMatchObject({ ok: false, failures: [{ service: 'db', code: 'SUPERVISOR_TIMEOUT', reason: 'db#1 was not ready after 3s (running, starting)' }] });
  });

  it('fails when a replica exits non-zero before it is healthy, with no restart to come', async () => {
    h = new SupervisorHarness({ behaviors: { web: { exitAfterMs: 50, exitCode: 3 } } });
    const up = h.supervisor.up(testStack([svc('web', { healthcheck: healthcheck(1000) })]), { wait: true });
    await h.until('web', (v) => v.status === 'running');
    await h.advance(50);
    expect(await up).toMatchObject({ ok: false, failures: [{ service: 'web', code: 'SUPERVISOR_EXITED', reason: 'web#1 exited with code 3' }] });
  });
});
