import net from 'node:net';
import { BerthError } from '../errors.js';
import { fromWireError, LineSplitter, parseServerMessage, type ClientMessage, type ServerMessage } from './rpc-protocol.js';

interface Pending {
  readonly onEvent: (event: unknown) => void;
  readonly settle: (outcome: { result: unknown } | { error: Error }) => void;
}

/**
 * The daemon's side of the RPC (see rpc-protocol.ts): one connection to the plane, any number of concurrent calls
 * and subscriptions. When the connection is lost, every call and subscription still open fails with
 * DAEMON_UNREACHABLE; the plane keeps running.
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lost: BerthError | undefined;
  private readonly closeListeners = new Set<() => void>();

  private constructor(private readonly socket: net.Socket, private readonly logFile: string) {
    const splitter = new LineSplitter((line) => this.receive(parseServerMessage(line)));
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.closed());
  }

  /** Connects to the plane's socket; rejects with DAEMON_UNREACHABLE when nothing listens there. */
  static connect(socketPath: string, options: { logFile: string; timeoutMs?: number }): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => socket.destroy(new Error('timed out')), options.timeoutMs ?? 5_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RpcClient(socket, options.logFile));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new BerthError('DAEMON_UNREACHABLE', `the berth data plane does not answer on ${socketPath}`, { cause: error, hint: `see ${options.logFile}` }));
      });
    });
  }

  /** Whether the connection is still open. */
  get connected(): boolean {
    return this.lost === undefined;
  }

  /** Calls `listener` once when the connection closes (at once when it is closed already). Returns unsubscribe. */
  onClose(listener: () => void): () => void {
    if (this.lost) {
      listener();
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Calls a method; `signal` cancels it on both sides (the promise rejects with an AbortError). */
  call<T>(method: string, params: unknown, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let id = 0;
      const cancel = (): void => this.cancel(id, abortError());
      id = this.open(method, params, () => undefined, (outcome) => {
        signal?.removeEventListener('abort', cancel);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.result as T);
      }, signal);
      if (id !== 0) signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /**
   * Opens a subscription at once (events from now on are kept) and returns its events: the iterable ends when the
   * plane ends the stream, when `signal` aborts or when the consumer stops; it throws the plane's error.
   */
  subscribe<T>(method: string, params: unknown, signal: AbortSignal): AsyncIterable<T> {
    const queue = new Subscription<T>();
    let id = 0;
    const cancel = (): void => this.cancel(id, abortError());
    id = this.open(method, params, (event) => queue.push(event as T), (outcome) => {
      signal.removeEventListener('abort', cancel);
      queue.end('error' in outcome && outcome.error.name !== 'AbortError' ? outcome.error : undefined);
    }, signal);
    if (id !== 0) signal.addEventListener('abort', cancel, { once: true });
    queue.onReturn = cancel;
    return queue;
  }

  /** Closes the connection: the plane cancels this client's calls and subscriptions, and keeps running. */
  close(): Promise<void> {
    if (this.lost) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  /** Sends a request; returns its id, or 0 when it settled at once (connection lost, signal aborted). */
  private open(method: string, params: unknown, onEvent: Pending['onEvent'], settle: Pending['settle'], signal: AbortSignal | undefined): number {
    if (this.lost) {
      settle({ error: this.lost });
      return 0;
    }
    if (signal?.aborted) {
      settle({ error: abortError() });
      return 0;
    }
    const id = this.nextId++;
    this.pending.set(id, { onEvent, settle });
    this.send({ id, method, params });
    return id;
  }

  private cancel(id: number, error: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.send({ id, cancel: true });
    pending.settle({ error });
  }

  private send(message: ClientMessage): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  private receive(message: ServerMessage | undefined): void {
    if (message === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return; // cancelled here already
    if ('event' in message) {
      pending.onEvent(message.event);
      return;
    }
    this.pending.delete(message.id);
    pending.settle('error' in message ? { error: fromWireError(message.error) } : { result: message.result });
  }

  private closed(): void {
    this.lost = new BerthError('DAEMON_UNREACHABLE', 'the connection to the berth data plane was lost', { hint: `see ${this.logFile}` });
    for (const pending of this.pending.values()) pending.settle({ error: this.lost });
    this.pending.clear();
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
  }
}

function abortError(): Error {
  const error = new Error('the operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** A single-consumer queue of events that can end with an error. */
class Subscription<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | undefined;
  private ended = false;
  private error: Error | undefined;
  onReturn: () => void = () => undefined;

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: item, done: false });
    } else this.items.push(item);
  }

  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) return;
    if (error) {
      this.error = undefined;
      waiting.reject(error);
    } else waiting.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.ended) {
      const error = this.error;
      this.error = undefined;
      return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    if (!this.ended) this.onReturn();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
