import { afterEach, describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../model/stack.js';
import { testStack } from '../spec/validate/rules/test-stack.js';
import { healthcheck, settle, SupervisorHarness, svc, until } from '../../test/support/supervisor-harness.js';
import { reconcile } from '../plan/reconcile.js';
import { statusText, Supervisor } from './supervisor.js';

let h: SupervisorHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function upOne(restart: RestartPolicy, harness = new SupervisorHarness()): Promise<SupervisorHarness> {
  h = harness;
  expect(await h.supervisor.up(testStack([svc('web', { restart })]), { wait: false })).toEqual({ ok: true });
  return h;
}

function crash(harness: SupervisorHarness, code: number | null = 1): void {
  const instance = harness.runtime.find('web');
  if (!instance) throw new Error('web has no instance');
  harness.runtime.crash(instance.id, code === null ? { code: null, signal: 'SIGKILL' } : { code });
}

const starts = (harness: SupervisorHarness): number => harness.runtime.calls.filter((c) => c === 'start web#1').length;

describe('restart policies on the memory runtime', () => {
  it('leaves a restart: no replica exited', async () => {
    const s = await upOne({ kind: 'no' });
    crash(s, 1);
    expect(await s.until('web', (v) => v.status === 'exited')).toMatchObject({ restarts: 0, exit: { code: 1 } });
    await s.advance(60_000, 5_000);
    expect(starts(s)).toBe(1);
  });

  it('restarts an always replica after a kill -9 and after a clean exit, counting restarts', async () => {
    const s = await upOne({ kind: 'always' });
    const before = s.view('web')?.pid;
    crash(s, null);
    expect(await s.until('web', (v) => v.status === 'restarting')).toMatchObject({ restarts: 1, exit: { signal: 'SIGKILL' } });
    await s.advance(100);
    const after = await s.until('web', (v) => v.status === 'running');
    expect(after.pid).not.toBe(before);
    expect(after.restarts).toBe(1);
    crash(s, 0);
    await s.until('web', (v) => v.status === 'restarting');
    await s.advance(200);
    expect(await s.until('web', (v) => v.status === 'running')).toMatchObject({ restarts: 2 });
  });

  it('does not restart an on-failure replica that exits 0', async () => {
    const s = await upOne({ kind: 'on-failure' });
    crash(s, 0);
    expect(await s.until('web', (v) => v.status === 'exited')).toMatchObject({ restarts: 0, exit: { code: 0 } });
    await s.advance(1_000);
    expect(starts(s)).toBe(1);
  });

  it('restarts an on-failure:3 replica until max retries, then reports it', async () => {
    h = new SupervisorHarness({ behaviors: { web: { exitAfterMs: 50, exitCode: 3 } } });
    await upOne({ kind: 'on-failure', maxRetries: 3 }, h);
    await h.advance(5_000, 25);
    const view = await h.until('web', (v) => v.status === 'failed');
    expect(view).toMatchObject({ restarts: 3, detail: 'gave up after 3 restarts', exit: { code: 3 } });
    expect(statusText(view)).toBe('failed (gave up after 3 restarts)');
    expect(starts(h)).toBe(4);
  });

  it('keeps an unless-stopped replica stopped after berth stop until berth start', async () => {
    const s = await upOne({ kind: 'unless-stopped' });
    await s.supervisor.stop(['web']);
    expect(s.view('web')).toMatchObject({ status: 'stopped', restarts: 0 });
    await s.advance(60_000, 5_000);
    expect(starts(s)).toBe(1);
    await s.supervisor.start(['web']);
    expect(s.view('web')?.status).toBe('running');
    crash(s);
    await s.until('web', (v) => v.status === 'restarting');
  });

  it('keeps an always replica stopped after berth stop (until start), however long', async () => {
    const s = await upOne({ kind: 'always' });
    await s.supervisor.stop();
    await s.advance(60_000, 5_000);
    expect(s.view('web')?.status).toBe('stopped');
    await s.supervisor.up(testStack([svc('web', { restart: { kind: 'always' } })]), { wait: false });
    expect(s.view('web')?.status).toBe('running');
  });

  it('cancels a pending restart when the user stops the replica during its backoff', async () => {
    const s = await upOne({ kind: 'always' });
    crash(s);
    await s.until('web', (v) => v.status === 'restarting');
    await s.supervisor.stop(['web']);
    await s.advance(1_000);
    expect(s.view('web')?.status).toBe('stopped');
    expect(starts(s)).toBe(1);
  });

  it('backs off exponentially between quick crashes and resets after 10s of uptime', async () => {
    const s = await upOne({ kind: 'always' });
    const delays = (): number[] => s.events.flatMap((e) => (e.type === 'restart' ? [e.delayMs] : []));
    for (const delay of [100, 200, 400, 800]) {
      crash(s);
      await s.until('web', (v) => v.status === 'restarting');
      await s.advance(delay, delay);
      await s.until('web', (v) => v.status === 'running');
    }
    expect(delays()).toEqual([100, 200, 400, 800]);
    await s.advance(10_000, 10_000);
    crash(s);
    await s.until('web', (v) => v.status === 'restarting');
    expect(delays().at(-1)).toBe(100);
  });

  it('shows a crash loop after 5 exits within 30s, and keeps restarting', async () => {
    h = new SupervisorHarness({ behaviors: { web: { exitAfterMs: 20, exitCode: 1 } } });
    const s = await upOne({ kind: 'always' }, h);
    await s.advance(20 + 100 + 20 + 200 + 20 + 400 + 20 + 800 + 20, 10);
    const view = await s.until('web', (v) => v.status === 'restarting' && v.detail !== undefined);
    expect(statusText(view)).toBe('restarting (crash loop: 5 exits in 30s)');
    expect(view.restarts).toBe(5);
    await s.advance(1_600);
    await s.until('web', (v) => v.status === 'running' || v.restarts === 6);
  });

  it('records an unhealthy replica without restarting it (compose does not either)', async () => {
    h = new SupervisorHarness();
    h.runtime.setHealthy('web', false);
    await h.supervisor.up(testStack([svc('web', { restart: { kind: 'always' }, healthcheck: healthcheck(100, 2) })]), { wait: false });
    await h.advance(300);
    expect(await h.until('web', (v) => v.health === 'unhealthy')).toMatchObject({ status: 'running', restarts: 0, healthReason: 'exit code 1: not ready' });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'health', service: 'web', health: 'unhealthy', reason: 'exit code 1: not ready' }));
    expect(h.runtime.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
    h.runtime.setHealthy('web', true);
    await h.advance(100);
    await h.until('web', (v) => v.health === 'healthy');
  });

  it('gives a restarted replica a fresh health monitor, starting again from "starting"', async () => {
    h = new SupervisorHarness();
    await h.supervisor.up(testStack([svc('web', { restart: { kind: 'always' }, healthcheck: healthcheck(100) })]), { wait: false });
    await h.advance(100);
    await h.until('web', (v) => v.health === 'healthy');
    crash(h);
    await h.until('web', (v) => v.status === 'restarting' && v.health === undefined);
    await h.advance(100);
    await h.until('web', (v) => v.status === 'running' && v.health === 'starting');
    await h.advance(100);
    await h.until('web', (v) => v.health === 'healthy');
  });

  it('does not mistake the exit of a requested stop for a crash, even after a quick start', async () => {
    const s = await upOne({ kind: 'always' });
    await s.supervisor.stop(['web']);
    await s.supervisor.start(['web']);
    await settle();
    await s.advance(1_000);
    expect(s.view('web')).toMatchObject({ status: 'running', restarts: 0 });
    expect(starts(s)).toBe(2);
  });
});

describe('adopting replicas after the control plane restarted', () => {
  it('supervises running replicas again without restarting them, with health and restart policy', async () => {
    const first = new SupervisorHarness();
    const stack = testStack([svc('api', { replicas: 2, restart: { kind: 'always' }, healthcheck: healthcheck(100) })]);
    expect((await first.supervisor.up(stack, { wait: false, releases: { api: 'r4' } })).ok).toBe(true);
    const runtime = first.runtime;
    await first.supervisor.close();
    const starts = runtime.calls.filter((c) => c.startsWith('start')).length;

    const second = new Supervisor({ runtime, clock: first.clock, restartTiming: { initialDelayMs: 10 } });
    expect(await second.adopt(stack.name)).toEqual(['api#1', 'api#2']);
    expect(second.status().map((r) => [r.replica, r.status, r.release])).toEqual([[1, 'running', 'r4'], [2, 'running', 'r4']]);
    expect(runtime.calls.filter((c) => c.startsWith('start')).length).toBe(starts);
    expect(reconcile({ stack }, second.observed()).toString()).toBe('nothing to do\n');

    runtime.crash(runtime.find('api', 2)!.id);
    await first.advance(100);
    await until('api#2 restarted', () => second.status().find((r) => r.replica === 2 && r.status === 'running' && r.restarts === 1));
    await second.close();
    await first.runtime.close();
  });
});
