import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceId, StackName } from '../model/ids.js';
import { instanceId, stackName } from '../model/ids.js';
import type { Service } from '../model/stack.js';
import type { Instance, InstanceSpec, LogLine, Runtime, RuntimeEvent } from './runtime.js';

/** A test workload: a small Node.js script, run by the runtime as one replica of a service. */
export interface ConformanceWorkload {
  /** Service name, unique within a test. */
  readonly service: string;
  readonly replica?: number;
  /** JavaScript for `node -e`. A listening workload listens on `process.env.PORT`. */
  readonly script: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Container ports the service declares (as `expose:`). */
  readonly ports?: readonly number[];
}

/** What a runtime provides to be checked by `runtimeConformance`. */
export interface ConformanceHarness {
  readonly runtime: Runtime;
  readonly stack: StackName;
  /** The spec of one replica running `node -e <script>`. */
  specFor(workload: ConformanceWorkload): InstanceSpec;
  /** The working folder workloads run in, as `exec` sees it. */
  readonly workdir: string;
  /** The node program inside a replica, for `exec`. */
  readonly node: string;
  /** Closes the runtime and opens a new one on the same durable state, as when berth restarts. */
  reopen?(): Promise<Runtime>;
  /** Whether a process (by the pid a workload printed) still runs. */
  processAlive?(pid: number): boolean;
  /** Stops and removes what is left, closes the runtime, deletes temporary folders. */
  cleanup(): Promise<void>;
}

const DEADLINE_MS = 10_000;

/** Workload scripts. */
export const WORKLOADS = {
  idle: `console.log('ready'); setInterval(() => {}, 1000);`,
  graceful: (signal: string) => `process.on('${signal}', () => { console.log('got ${signal}'); setTimeout(() => process.exit(0), 50); }); console.log('ready'); setInterval(() => {}, 1000);`,
  stubborn: `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000);`,
  withGrandchild: `const c = require('child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`,
  exitsWith: (code: number) => `console.log('ready'); setTimeout(() => process.exit(${code}), 150);`,
  greeter: `require('net').createServer((s) => s.end('hello from ' + process.env.PORT)).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));`,
  talker: `for (let i = 1; i <= 5; i++) console.log('out ' + i); console.error('err 1'); console.log('done'); setInterval(() => {}, 1000);`,
  ticker: `let n = 0; const t = setInterval(() => { n++; console.log('tick ' + n); if (n === 10) { clearInterval(t); setTimeout(() => process.exit(0), 20); } }, 30);`,
  partial: `process.stdout.write('no newline at the end'); setTimeout(() => process.exit(0), 50);`,
} as const;

/** A complete Service with compose's defaults, for tests; `overrides` replace whole fields. */
export function conformanceService(name: string, overrides: Partial<Service> = {}): Service {
  return {
    name, environment: {}, ports: [], expose: [], volumes: [], dependsOn: {}, restart: { kind: 'no' }, replicas: 1, networks: { default: { aliases: [] } },
    labels: {}, profiles: [], stopSignal: 'SIGTERM', stopGracePeriodMs: 10_000, secrets: [], configs: [], extensions: {}, other: {},
    berth: { routes: [], other: {} }, ...overrides,
  };
}

/** Registers the shared runtime contract tests (src/runtime/runtime.ts) for one runtime. */
export function runtimeConformance(name: string, makeRuntime: () => Promise<ConformanceHarness>): void {
  describe(`Runtime conformance: ${name}`, () => {
    let h: ConformanceHarness;
    let runtime: Runtime;
    let created: InstanceId[];

    beforeEach(async () => {
      h = await makeRuntime();
      runtime = h.runtime;
      created = [];
    });

    afterEach(async () => {
      for (const id of created) {
        await runtime.stop(id, { signal: 'SIGKILL', graceMs: 0 }).catch(() => undefined);
        await runtime.remove(id).catch(() => undefined);
      }
      await h.cleanup();
    });

    const create = async (workload: ConformanceWorkload, spec = h.specFor(workload)): Promise<Instance> => {
      const instance = await runtime.create(spec);
      created.push(instance.id);
      return instance;
    };
    const run = async (workload: ConformanceWorkload, ready = 'ready'): Promise<Instance> => {
      const instance = await runtime.start((await create(workload)).id);
      await waitForLine(runtime, instance.id, (l) => l.text.startsWith(ready));
      return instance;
    };
    const state = async (id: InstanceId): Promise<Instance | undefined> => (await runtime.list(h.stack)).find((i) => i.id === id);

    it('creates a replica without starting it, then starts it and reports it running', async () => {
      const instance = await create({ service: 'idle', script: WORKLOADS.idle });
      expect(instance).toMatchObject({ state: 'created', service: 'idle', replica: 1, stack: h.stack });
      expect(instance.pid).toBeUndefined();
      const started = await runtime.start(instance.id);
      expect(started.state).toBe('running');
      expect(started.pid).toBeGreaterThan(0);
      expect(await state(instance.id)).toMatchObject({ state: 'running', pid: started.pid });
      await waitForLine(runtime, instance.id, (l) => l.text === 'ready');
    });

    it('gives each declared container port a host endpoint that reaches the replica', async () => {
      const instance = await run({ service: 'greeter', script: WORKLOADS.greeter, ports: [8080] }, 'listening');
      const endpoint = instance.endpoints[8080];
      expect(endpoint).toBeDefined();
      expect(await readGreeting(endpoint as { host: string; port: number })).toMatch(/^hello from \d+$/);
    });

    it('stops with the requested signal and waits for the handler to finish', async () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const instance = await run({ service: `graceful-${signal.toLowerCase()}`, script: WORKLOADS.graceful(signal) });
        const exit = await runtime.stop(instance.id, { signal, graceMs: 5000 });
        expect(exit).toMatchObject({ code: 0, signal: null });
        expect((await collect(runtime.logs(instance.id, { follow: false }))).map((l) => l.text)).toContain(`got ${signal}`);
        expect(await state(instance.id)).toMatchObject({ state: 'exited', exit: { code: 0 } });
      }
    });

    it('kills a replica that ignores the stop signal once the grace period is over', async () => {
      const instance = await run({ service: 'stubborn', script: WORKLOADS.stubborn });
      const began = Date.now();
      const exit = await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 300 });
      expect(Date.now() - began).toBeGreaterThanOrEqual(290);
      expect(exit).toMatchObject({ code: null, signal: 'SIGKILL' });
      await waitForLine(runtime, instance.id, (l) => l.text === 'ignoring SIGTERM');
    });

    it('stops the whole replica, grandchildren included', async (ctx) => {
      ctx.skip(!h.processAlive, 'the harness cannot see processes inside replicas');
      const instance = await run({ service: 'parent', script: WORKLOADS.withGrandchild }, 'grandchild');
      const line = await waitForLine(runtime, instance.id, (l) => l.text.startsWith('grandchild '));
      const grandchild = Number(line.text.split(' ')[1]);
      expect(h.processAlive?.(grandchild)).toBe(true);
      // The grandchild ignores SIGTERM: it gets the grace period, then is killed with the rest of the replica.
      const exit = await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 300 });
      expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
      expect(h.processAlive?.(grandchild)).toBe(false);
    });

    it('reports starts and unrequested exits with their exit code as events', async () => {
      const abort = new AbortController();
      const events = runtime.events(abort.signal)[Symbol.asyncIterator]();
      try {
        const instance = await runtime.start((await create({ service: 'quitter', script: WORKLOADS.exitsWith(3) })).id);
        expect(await nextEvent(events, (e) => e.id === instance.id)).toMatchObject({ type: 'started', id: instance.id });
        expect(await nextEvent(events, (e) => e.id === instance.id)).toMatchObject({ type: 'exited', exit: { code: 3, signal: null } });
        expect(await state(instance.id)).toMatchObject({ state: 'exited', exit: { code: 3 } });
        expect(await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 100 })).toMatchObject({ code: 3 });
      } finally {
        abort.abort();
      }
    });

    it('reports requested exits as events too', async () => {
      const abort = new AbortController();
      const events = runtime.events(abort.signal)[Symbol.asyncIterator]();
      try {
        const instance = await run({ service: 'idle', script: WORKLOADS.idle });
        await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 });
        expect(await nextEvent(events, (e) => e.id === instance.id && e.type === 'exited')).toMatchObject({ type: 'exited', exit: { signal: 'SIGTERM' } });
      } finally {
        abort.abort();
      }
    });

    it('lists the replicas of its stack only', async () => {
      const one = await create({ service: 'web', script: WORKLOADS.idle, replica: 1 });
      const two = await create({ service: 'web', script: WORKLOADS.idle, replica: 2 });
      const otherSpec = { ...h.specFor({ service: 'web', script: WORKLOADS.idle }), stack: stackName(`${h.stack}-other`) };
      const other = await create({ service: 'web', script: WORKLOADS.idle }, otherSpec);
      const listed = await runtime.list(h.stack);
      expect(listed.map((i) => [i.id, i.replica]).sort()).toEqual([[one.id, 1], [two.id, 2]].sort());
      expect((await runtime.list(otherSpec.stack)).map((i) => i.id)).toEqual([other.id]);
    });

    it('finds running replicas again after a restart of berth, and can stop them', async (ctx) => {
      ctx.skip(!h.reopen, 'the runtime keeps no durable state');
      const instance = await run({ service: 'survivor', script: WORKLOADS.idle });
      runtime = await (h.reopen as () => Promise<Runtime>)();
      const found = (await runtime.list(h.stack)).find((i) => i.id === instance.id);
      expect(found).toMatchObject({ state: 'running', pid: instance.pid, service: 'survivor' });
      await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 });
      expect(await state(instance.id)).toMatchObject({ state: 'exited' });
      if (h.processAlive && instance.pid) expect(h.processAlive(instance.pid)).toBe(false);
    });

    it('runs exec commands with the replica\'s environment and working folder', async () => {
      const instance = await run({ service: 'env', script: WORKLOADS.idle, environment: { GREETING: 'bonjour' } });
      const argv = await runtime.exec(instance.id, { kind: 'exec', argv: [h.node, '-e', 'console.log(process.env.GREETING + " " + process.cwd())'] }, { timeoutMs: DEADLINE_MS });
      expect(argv).toMatchObject({ exitCode: 0, timedOut: false });
      expect(argv.output.trim()).toBe(`bonjour ${h.workdir}`);
      const shell = await runtime.exec(instance.id, { kind: 'shell', command: 'echo "$GREETING $EXTRA"; exit 7' }, { timeoutMs: DEADLINE_MS, env: { EXTRA: 'monde' } });
      expect(shell).toMatchObject({ exitCode: 7, timedOut: false });
      expect(shell.output.trim()).toBe('bonjour monde');
    });

    it('kills an exec command at its timeout', async () => {
      const instance = await run({ service: 'exec-timeout', script: WORKLOADS.idle });
      const began = Date.now();
      const result = await runtime.exec(instance.id, { kind: 'exec', argv: [h.node, '-e', 'setInterval(() => {}, 1000)'] }, { timeoutMs: 300 });
      expect(result).toMatchObject({ timedOut: true, exitCode: null });
      expect(Date.now() - began).toBeLessThan(DEADLINE_MS);
    });

    it('keeps stdout and stderr apart in the logs, with tail and since', async () => {
      const instance = await run({ service: 'talker', script: WORKLOADS.talker }, 'done');
      // stdout and stderr are separate pipes: their lines may arrive in either order.
      await waitForLine(runtime, instance.id, (l) => l.text === 'err 1');
      const all = await collect(runtime.logs(instance.id, { follow: false }));
      expect(all.map((l) => `${l.stream}:${l.text}`)).toEqual(expect.arrayContaining(['stdout:out 1', 'stdout:out 5', 'stderr:err 1', 'stdout:done']));
      expect(all.every((l) => l.instance === instance.id && l.service === 'talker' && l.replica === 1)).toBe(true);
      expect((await collect(runtime.logs(instance.id, { follow: false, tail: 2 }))).map((l) => l.text)).toEqual(all.slice(-2).map((l) => l.text));
      const since = all[all.length - 1]?.time ?? 0;
      expect((await collect(runtime.logs(instance.id, { follow: false, since }))).every((l) => l.time >= since)).toBe(true);
      expect(await collect(runtime.logs(instance.id, { follow: false, since: Date.now() + 60_000 }))).toEqual([]);
    });

    it('follows the logs until the replica exits, keeping a last line without a newline', async () => {
      const ticker = await runtime.start((await create({ service: 'ticker', script: WORKLOADS.ticker })).id);
      const followed = await collect(runtime.logs(ticker.id, { follow: true, signal: AbortSignal.timeout(DEADLINE_MS) }));
      expect(followed.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `tick ${i + 1}`));
      const partial = await runtime.start((await create({ service: 'partial', script: WORKLOADS.partial })).id);
      const lines = await collect(runtime.logs(partial.id, { follow: true, signal: AbortSignal.timeout(DEADLINE_MS) }));
      expect(lines.map((l) => l.text)).toEqual(['no newline at the end']);
    });

    it('starts a stopped replica again', async () => {
      const instance = await run({ service: 'again', script: WORKLOADS.idle });
      await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 });
      const again = await runtime.start(instance.id);
      expect(again.state).toBe('running');
      expect(again.pid).not.toBe(instance.pid);
      await expect(runtime.start(instance.id)).rejects.toMatchObject({ code: 'RUNTIME_INSTANCE_STATE' });
    });

    it('removes a stopped replica, refuses to remove a running one, and forgets removed ids', async () => {
      const instance = await run({ service: 'removable', script: WORKLOADS.idle });
      await expect(runtime.remove(instance.id)).rejects.toMatchObject({ code: 'RUNTIME_INSTANCE_STATE' });
      await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 });
      await runtime.remove(instance.id);
      expect(await state(instance.id)).toBeUndefined();
      await expect(runtime.start(instance.id)).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
      await expect(runtime.exec(instance.id, { kind: 'shell', command: 'true' }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
      await expect(collect(runtime.logs(instance.id, { follow: false }))).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
      await expect(runtime.stop(instanceId('no-such-replica'), { signal: 'SIGTERM', graceMs: 0 })).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
    });

    it('refuses exec in a replica that is not running', async () => {
      const instance = await create({ service: 'idle', script: WORKLOADS.idle });
      await expect(runtime.exec(instance.id, { kind: 'shell', command: 'true' }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'RUNTIME_INSTANCE_STATE' });
    });
  });
}

/** Everything an iterable yields (until it ends or its signal aborts). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Follows a replica's log until a line matches (or fails at the deadline). */
export async function waitForLine(runtime: Runtime, id: InstanceId, match: (line: LogLine) => boolean, timeoutMs = DEADLINE_MS): Promise<LogLine> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    for await (const line of runtime.logs(id, { follow: true, signal: abort.signal })) if (match(line)) return line;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(`no matching log line from ${id} within ${timeoutMs} ms`);
}

async function nextEvent(events: AsyncIterator<RuntimeEvent>, match: (event: RuntimeEvent) => boolean): Promise<RuntimeEvent> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadline - Date.now()).unref());
    const next = await Promise.race([events.next(), timeout]);
    if (next === 'timeout' || next.done) break;
    if (match(next.value)) return next.value;
  }
  throw new Error(`no matching event within ${DEADLINE_MS} ms`);
}

function readGreeting(endpoint: { host: string; port: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(endpoint);
    let text = '';
    socket.setTimeout(DEADLINE_MS, () => socket.destroy(new Error('no greeting')));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
