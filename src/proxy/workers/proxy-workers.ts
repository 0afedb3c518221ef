/*
 * The primary side of a multi-process edge proxy. It forks the worker processes, owns the listening sockets and
 * hands accepted connections to the workers in turn (clients behind one address — a CDN, a load balancer — are
 * spread too). Per-client state that must be exact, the rate-limit buckets, stays here: workers ask for tokens.
 * Configuration messages are broadcast and the latest of each kind is replayed to a worker that restarts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log/logger.js';
import type { RequestRecord } from '../forward/proxy-context.js';
import { listen } from '../http-proxy-server.js';
import type { TokenDecision } from '../middlewares/rate-limit.js';
import type { FromWorker, ToWorker } from './messages.js';

export interface ProxyWorkersOptions {
  readonly count: number;
  readonly log: Logger;
  /** Request records the workers served, in batches. */
  readonly onRecords: (records: readonly RequestRecord[]) => void;
  /** Node flags for the workers; default this process's (so a berth run from source forks source workers). */
  readonly execArgv?: readonly string[];
  /** Takes a rate-limit token for a worker; undefined (or no answer) lets the worker decide with its own buckets. */
  readonly takeToken?: (routeId: string, key: string) => TokenDecision | undefined;
}

type Listener = 'http' | 'https';
type ConfigType = Exclude<ToWorker['type'], 'connection' | 'drain' | 'token' | 'in-flight'>;

/** Replayed in this order to a new worker: routes create the pools that endpoints fill. */
const REPLAY_ORDER: readonly ConfigType[] = ['settings', 'routes', 'endpoints', 'certificates', 'challenges'];
const START_DEADLINE_MS = 15_000;
/** How long `inFlight` waits for each worker's answer; a worker that does not answer in time counts as 0. */
const IN_FLIGHT_WAIT_MS = 1_000;

interface Slot {
  child: ChildProcess | undefined;
  ready: boolean;
  restarts: number;
  /** Resolved when the worker sends `ready`. */
  started: Promise<void>;
}

export class ProxyWorkers {
  private readonly slots: Slot[] = [];
  private readonly latest = new Map<ConfigType, ToWorker>();
  private readonly servers = new Map<Listener, net.Server>();
  private closing = false;
  private turn = 0;
  private nextQueryId = 1;
  private readonly pendingInFlight = new Map<number, (count: number) => void>();

  constructor(private readonly options: ProxyWorkersOptions) {
    if (!Number.isSafeInteger(options.count) || options.count < 1) throw new RangeError('worker count must be ≥ 1');
  }

  get count(): number {
    return this.slots.length;
  }

  /** Process ids of the running workers (for tests and status). */
  get pids(): readonly number[] {
    return this.slots.flatMap((slot) => (slot.child?.pid === undefined ? [] : [slot.child.pid]));
  }

  /** Forks the workers and waits until each is ready. */
  async start(): Promise<void> {
    for (let i = 0; i < this.options.count; i++) this.slots.push(this.spawn({ child: undefined, ready: false, restarts: 0, started: Promise.resolve() }));
    await Promise.all(this.slots.map((slot) => slot.started));
  }

  /**
   * Requests and tunnels the workers have in flight to these `host:port` upstreams, summed. Messages to a worker
   * are ordered: configuration sent before this call is in effect when it counts. A worker that is not running,
   * or does not answer within a second, counts as 0 (logged).
   */
  async inFlight(upstreams: readonly string[]): Promise<number> {
    const counts = await Promise.all(this.slots.map((slot) => this.askInFlight(slot, upstreams)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private askInFlight(slot: Slot, upstreams: readonly string[]): Promise<number> {
    const child = slot.child;
    if (!slot.ready || child?.connected !== true) return Promise.resolve(0);
    const id = this.nextQueryId++;
    return new Promise((resolve) => {
      const answer = (count: number): void => {
        clearTimeout(timer);
        this.pendingInFlight.delete(id);
        resolve(count);
      };
      const timer = setTimeout(() => {
        this.options.log.warn('proxy worker did not say what it has in flight; counted as 0', { pid: child.pid, waitedMs: IN_FLIGHT_WAIT_MS });
        answer(0);
      }, IN_FLIGHT_WAIT_MS);
      this.pendingInFlight.set(id, answer);
      child.send({ type: 'in-flight', id, upstreams } satisfies ToWorker, (error) => {
        if (error !== null) answer(0); // the worker is gone: its requests went with it
      });
    });
  }

  /** Sends a configuration message to every worker, and to workers started later. */
  send(message: Exclude<ToWorker, { type: 'connection' | 'drain' | 'token' | 'in-flight' }>): void {
    this.latest.set(message.type, message);
    for (const slot of this.slots) if (slot.ready) slot.child?.send(message);
  }

  /** Opens a listener whose connections go to the workers; returns the bound port. */
  async listen(listener: Listener, port: number, host: string): Promise<number> {
    const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.dispatch(socket, listener));
    await listen(server, port, host);
    this.servers.set(listener, server);
    return (server.address() as AddressInfo).port;
  }

  /** The bound port of a listener; 0 when it is not open. */
  port(listener: Listener): number {
    return (this.servers.get(listener)?.address() as AddressInfo | null | undefined)?.port ?? 0;
  }

  /** Stops accepting on a listener; connections already handed to workers go on. */
  async unlisten(listener: Listener): Promise<void> {
    const server = this.servers.get(listener);
    this.servers.delete(listener);
    // close() stops accepting at once; its callback would wait for the connections, which the workers hold.
    server?.close();
  }

  /** Stops accepting, lets the workers finish their requests (up to `graceMs`), then ends them. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    await Promise.all([...this.servers.keys()].map((listener) => this.unlisten(listener)));
    await Promise.all(
      this.slots.map(async (slot) => {
        const child = slot.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send({ type: 'drain', graceMs } satisfies ToWorker);
        else child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs + 2_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }),
    );
  }

  private dispatch(socket: net.Socket, listener: Listener): void {
    const n = this.slots.length;
    const first = this.turn++ % n;
    for (let i = 0; i < n; i++) {
      const slot = this.slots[(first + i) % n] as Slot;
      if (!slot.ready || slot.child?.connected !== true) continue;
      slot.child.send({ type: 'connection', listener } satisfies ToWorker, socket, { keepOpen: false }, (error) => {
        if (error !== null) socket.destroy();
      });
      return;
    }
    socket.destroy();
  }

  private spawn(slot: Slot): Slot {
    const entry = workerEntry();
    const child = fork(entry, [], {
      execArgv: [...(this.options.execArgv ?? process.execArgv)],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.ready = false;
    slot.started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy worker ${child.pid ?? '?'} did not start within 15 s`)), START_DEADLINE_MS);
      child.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(timer);
            for (const type of REPLAY_ORDER) {
              const config = this.latest.get(type);
              if (config !== undefined) child.send(config);
            }
            slot.ready = true;
            resolve();
            return;
          case 'records':
            this.options.onRecords(message.records);
            return;
          case 'rejected':
            this.options.log.warn('proxy worker refused a configuration', { pid: child.pid, reason: message.message });
            return;
          case 'drained':
            return;
          case 'take-token':
            child.send({ type: 'token', id: message.id, decision: this.options.takeToken?.(message.routeId, message.key) } satisfies ToWorker);
            return;
          case 'in-flight':
            this.pendingInFlight.get(message.id)?.(message.count);
            return;
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        slot.ready = false;
        if (this.closing) return;
        reject(new Error(`proxy worker exited with ${signal ?? code} while starting`));
        this.restart(slot, code, signal);
      });
    });
    // A failed start is reported by start(); a later restart's failure is logged by restart().
    slot.started.catch(() => undefined);
    return slot;
  }

  private restart(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    slot.restarts++;
    const delay = Math.min(5_000, 100 * 2 ** Math.min(slot.restarts - 1, 6));
    this.options.log.warn('proxy worker exited; restarting it', { code, signal, restarts: slot.restarts, delayMs: delay });
    setTimeout(() => {
      if (!this.closing) this.spawn(slot);
    }, delay).unref();
  }
}

/** The worker entry beside this file, as .ts when berth runs from source. */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/proxy-workers\.(ts|js)$/, (_, ext: string) => `proxy-worker-main.${ext}`);
}
