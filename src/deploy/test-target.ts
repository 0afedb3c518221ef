import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { MemoryRuntime } from '../../test/support/memory-runtime.js';
import type { Service, Stack } from '../model/stack.js';
import type { Plan } from '../plan/plan.js';
import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import { testService, testStack } from '../spec/validate/rules/test-stack.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { DeployTarget } from './deploy-target.js';
import { Deployer } from './deployer.js';
import { ReleaseStore } from './release-store.js';
import { upstreamsOf } from './service-deploy.js';
import type { Traffic } from './traffic.js';
import { releasesForUp } from './up-release.js';

/*
 * Test support for the deploy suites: a real Supervisor on the in-memory runtime (which passes the runtime
 * conformance suite), with the proxy side recorded: traffic pins, and request records the test injects.
 */

/** The supervisor on an in-memory runtime, with the proxy side recorded: traffic pins and injected request records. */
export class TestTarget implements DeployTarget {
  readonly pins: { service: string; serving: number[]; standby: number[] }[] = [];
  readonly listeners = new Set<(record: RequestRecord) => void>();
  inFlightCount = 0;
  constructor(readonly supervisor: Supervisor) {}
  replicas() { return this.supervisor.status(); }
  observed() { return this.supervisor.observed(); }
  apply(stack: Stack, plan: Plan, signal: AbortSignal) { return this.supervisor.apply(stack, plan, { signal }); }
  waitReady(service: string, replicas: readonly number[], timeoutMs: number, signal: AbortSignal) { return this.supervisor.waitReady(service, replicas, { timeoutMs, signal }); }
  setTraffic(service: string, traffic: Traffic | undefined): void {
    this.pins.push({ service, serving: traffic ? [...traffic.serving.keys()] : [], standby: traffic ? [...traffic.standby] : [] });
  }
  async inFlight(): Promise<number> { return this.inFlightCount; }
  onRecord(listener: (record: RequestRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Requests as the proxy would report them, answered by these replicas of `service`. */
  serve(service: string, replicas: readonly number[], count: number, answer: (i: number) => { status: number; durationMs: number }): void {
    const upstreams = upstreamsOf(this.supervisor.status().filter((r) => r.service === service && replicas.includes(r.replica)));
    for (let i = 0; i < count; i += 1) {
      const { status, durationMs } = answer(i);
      const record: RequestRecord = {
        requestId: String(i), method: 'GET', host: 'x', path: '/', route: service, status, durationMs,
        upstream: upstreams[i % upstreams.length], tries: 1, bytesIn: 0, bytesOut: 0, clientIp: '127.0.0.1',
      };
      for (const listener of this.listeners) listener(record);
    }
  }
}

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const deploySettings = { watch: 300, drain: 50 };
export function routed(name: string, fields: Partial<Service> = {}): Service {
  return testService(name, {
    replicas: 2, restart: { kind: 'always' }, ports: [{ target: 8000, protocol: 'tcp', mode: 'ingress' }],
    berth: {
      routes: [{ hosts: ['x'], paths: ['/'], stripPrefix: false }], other: {},
      deploy: {
        watchMs: deploySettings.watch, drainTimeoutMs: deploySettings.drain, healthTimeoutMs: 2_000, warmup: [],
        canary: { steps: [50, 100], stepWatchMs: 100 }, rolling: { maxUnavailable: 0 }, thresholds: { errorRate: 0.05, latencyFactor: 2, minRequests: 20 },
      },
    },
    ...fields,
  });
}

export async function setup(services: Service[], runtime = new MemoryRuntime()) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-deployer-'));
  dirs.push(dir);
  const supervisor = new Supervisor({ runtime, timeouts: { settleMs: 200 } });
  closers.push(async () => {
    await supervisor.down();
    await supervisor.close();
    await runtime.close();
  });
  const releases = new ReleaseStore(path.join(dir, 'releases.json'));
  const target = new TestTarget(supervisor);
  const deployer = new Deployer({ target, releases });
  const stack = testStack(services);
  const { ids, created } = releasesForUp(stack, Object.keys(stack.services), releases);
  const up = await supervisor.up(stack, { wait: true, releases: ids });
  expect(up.ok).toBe(true);
  if (created) releases.setStatus(created.id, 'active');
  return { supervisor, runtime, releases, target, deployer, stack };
}

