import { afterEach, describe, expect, it } from 'vitest';
import type { Dependency } from '../model/stack.js';
import { testStack } from '../spec/validate/rules/test-stack.js';
import { healthcheck, SupervisorHarness, svc, until } from '../../test/support/supervisor-harness.js';
import { Supervisor } from './supervisor.js';

const dep = (condition: Dependency['condition'], fields: Partial<Dependency> = {}): Dependency => ({ condition, restart: false, required: true, ...fields });
const stack = testStack([
  svc('db'),
  svc('api', { dependsOn: { db: dep('service_started') } }),
  svc('worker', { replicas: 2, dependsOn: { api: dep('service_started') } }),
]);

let h: SupervisorHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const calls = (harness: SupervisorHarness, verb: string): string[] => harness.runtime.calls.filter((c) => c.startsWith(verb));

describe('stop and down', () => {
  it('stops dependents before their dependencies, then removes everything', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false });
    await h.supervisor.down();
    expect(calls(h, 'stop')).toEqual(['stop worker#1', 'stop worker#2', 'stop api#1', 'stop db#1']);
    expect(calls(h, 'remove').sort()).toEqual(['remove api#1', 'remove db#1', 'remove worker#1', 'remove worker#2']);
    expect(h.supervisor.status()).toEqual([]);
  });

  it('stops the replicas of a service in parallel with its stop signal, killing after the grace period', async () => {
    h = new SupervisorHarness({ behaviors: { worker: { onSignal: 'ignore' }, api: { onSignal: 'die' } } });
    const s = testStack([
      svc('api', { stopSignal: 'SIGINT' }),
      svc('worker', { replicas: 2, stopGracePeriodMs: 3000, dependsOn: { api: dep('service_started') } }),
    ]);
    await h.supervisor.up(s, { wait: false });
    const down = h.supervisor.stop();
    await until('both workers stopping', () => h?.supervisor.status().filter((r) => r.status === 'stopping').length === 2);
    expect(h.view('api')?.status).toBe('running');
    await h.advance(3000, 1000);
    await down;
    expect(h.view('worker', 1)).toMatchObject({ status: 'stopped', exit: { signal: 'SIGKILL' } });
    expect(h.view('worker', 2)).toMatchObject({ status: 'stopped', exit: { signal: 'SIGKILL' } });
    expect(h.view('api')).toMatchObject({ status: 'stopped', exit: { signal: 'SIGINT' } });
  });

  it('downs only the named services', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false });
    await h.supervisor.down({ services: ['worker'] });
    expect(h.supervisor.status().map((r) => r.service)).toEqual(['db', 'api']);
    await expect(h.supervisor.down({ services: ['nope'] })).rejects.toMatchObject({ code: 'SUPERVISOR_UNKNOWN_SERVICE' });
  });

  it('cancels an up that is still waiting when stop or down comes in', async () => {
    h = new SupervisorHarness();
    const s = testStack([svc('job'), svc('api', { dependsOn: { job: dep('service_completed_successfully') } })]);
    const up = h.supervisor.up(s, { wait: false });
    await h.until('api', (v) => v.status === 'waiting');
    const down = h.supervisor.down();
    await expect(up).rejects.toMatchObject({ code: 'SUPERVISOR_ABORTED' });
    await down;
    expect(h.supervisor.status()).toEqual([]);
  });

  it('does nothing before the first up', async () => {
    h = new SupervisorHarness();
    await h.supervisor.down();
    await h.supervisor.stop(['x']);
    await h.supervisor.start();
    expect(h.runtime.calls).toEqual([]);
  });

  it('reports a replica the runtime cannot remove with SUPERVISOR_STOP_FAILED', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(testStack([svc('db')]), { wait: false });
    const id = h.runtime.find('db')?.id;
    if (!id) throw new Error('no db');
    const remove = h.runtime.remove.bind(h.runtime);
    h.runtime.remove = async () => {
      throw new Error('device busy');
    };
    await expect(h.supervisor.down()).rejects.toMatchObject({ code: 'SUPERVISOR_STOP_FAILED', message: 'remove db#1 failed: device busy' });
    h.runtime.remove = remove;
  });
});

describe('start and restart', () => {
  it('starts stopped services again in dependency order, gated', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false });
    await h.supervisor.stop();
    h.runtime.calls.length = 0;
    await h.supervisor.start();
    expect(calls(h, 'start')).toEqual(['start db#1', 'start api#1', 'start worker#1', 'start worker#2']);
  });

  it('fails start with the dependency at fault', async () => {
    h = new SupervisorHarness({ behaviors: { db: (run) => (run === 1 ? {} : { startError: 'port in use' }) } });
    await h.supervisor.up(stack, { wait: false });
    await h.supervisor.stop();
    await expect(h.supervisor.start()).rejects.toMatchObject({ code: 'SUPERVISOR_START_FAILED', message: 'db#1 could not be started: port in use; dependents api, worker were not started' });
  });

  it('restarts a service and the dependents that asked for it with depends_on restart: true', async () => {
    h = new SupervisorHarness();
    const s = testStack([
      svc('db'),
      svc('api', { dependsOn: { db: dep('service_started', { restart: true }) } }),
      svc('cron', { dependsOn: { db: dep('service_started') } }),
    ]);
    await h.supervisor.up(s, { wait: false });
    h.runtime.calls.length = 0;
    await h.supervisor.restart(['db']);
    expect(h.runtime.calls).toEqual(['stop api#1', 'stop db#1', 'start db#1', 'start api#1']);
    expect(h.supervisor.status().map((r) => r.status)).toEqual(['running', 'running', 'running']);
  });
});

describe('up again: scale, changes, leftovers', () => {
  it('does nothing when the stack is already up as asked', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false });
    h.runtime.calls.length = 0;
    expect(await h.supervisor.up(stack, { wait: false })).toEqual({ ok: true });
    expect(h.runtime.calls).toEqual([]);
  });

  it('scales up with new replica numbers and down by stopping the highest numbers', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false, scale: { worker: 4 } });
    expect(h.supervisor.status().filter((r) => r.service === 'worker').map((r) => r.replica)).toEqual([1, 2, 3, 4]);
    h.runtime.calls.length = 0;
    await h.supervisor.up(stack, { wait: false, scale: { worker: 1 } });
    expect(calls(h, 'stop').sort()).toEqual(['stop worker#2', 'stop worker#3', 'stop worker#4']);
    expect(h.supervisor.status().filter((r) => r.service === 'worker').map((r) => r.replica)).toEqual([1]);
    expect(h.events.filter((e) => e.type === 'plan').at(-1)).toMatchObject({ text: expect.stringContaining('stop worker#4    (scaled down 4 → 1)') });
  });

  it('recreates replicas whose service changed, keeping the others', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(stack, { wait: false });
    h.runtime.calls.length = 0;
    const changed = testStack([stack.services.db!, { ...stack.services.api!, environment: { DEBUG: '1' } }, stack.services.worker!]);
    await h.supervisor.up(changed, { wait: false });
    expect(h.runtime.calls).toEqual(['stop api#1', 'remove api#1', 'create api#1', 'start api#1']);
  });

  it('replaces instances left by an earlier supervisor on the same runtime', async () => {
    h = new SupervisorHarness();
    const earlier = new Supervisor({ runtime: h.runtime, clock: h.clock });
    await earlier.up(testStack([svc('db')]), { wait: false });
    await earlier.close();
    await h.supervisor.up(testStack([svc('db')]), { wait: false });
    expect(h.runtime.calls).toEqual(['create db#1', 'start db#1', 'stop db#1', 'remove db#1', 'create db#1', 'start db#1']);
    expect(h.supervisor.status()).toHaveLength(1);
  });

  it('keeps unless-stopped replicas the user had stopped before berth restarted, and fails what needs them', async () => {
    h = new SupervisorHarness();
    const s = testStack([svc('cache', { restart: { kind: 'unless-stopped' } }), svc('api', { dependsOn: { cache: dep('service_started') } })]);
    const result = await h.supervisor.up(s, { wait: false, stoppedByUser: ['cache#1'] });
    expect(h.view('cache')).toMatchObject({ status: 'stopped', detail: 'stopped by the user before berth restarted' });
    expect(result).toMatchObject({ ok: false, failures: [{ service: 'cache', code: 'SUPERVISOR_DEPENDENCY', reason: 'cache was stopped by the user; dependent api was not started' }] });
  });

  it('close() cancels restart timers and health probes and leaves replicas running', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(testStack([svc('web', { restart: { kind: 'always' } }), svc('db', { healthcheck: healthcheck(100) })]), { wait: false });
    const web = h.runtime.find('web');
    if (web) h.runtime.crash(web.id);
    await h.until('web', (v) => v.status === 'restarting');
    await h.supervisor.close();
    expect(h.clock.pending).toBe(0);
    expect(h.runtime.find('db')?.state).toBe('running');
  });
});
