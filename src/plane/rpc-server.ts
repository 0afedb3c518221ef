import { rmSync } from 'node:fs';
import net from 'node:net';
import { BerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { LineSplitter, parseClientMessage, toWireError, type RpcRequest, type ServerMessage } from './rpc-protocol.js';
import { listenOnOwnSocket } from '../api/unix-socket.js';

/** Answers one call; `signal` aborts when the client cancels it or disconnects. */
export type CallHandler = (params: unknown, signal: AbortSignal) => Promise<unknown>;
/**
 * Serves one subscription: calls `send` for each event and resolves when the stream ends. It must stop when
 * `signal` aborts (client cancel or disconnect). Runs synchronously up to its first await, so a subscription
 * made before a call on the same connection is in place before that call runs.
 */
export type StreamHandler = (params: unknown, signal: AbortSignal, send: (event: unknown) => void) => Promise<void>;

/** The methods a server answers, by name: calls answer once, streams send events until they end. */
export interface RpcMethods {
  readonly calls: Readonly<Record<string, CallHandler>>;
  readonly streams: Readonly<Record<string, StreamHandler>>;
}

/** The socket to listen on and the methods served there. */
export interface RpcServerOptions {
  readonly socket: string;
  readonly methods: RpcMethods;
  readonly log: Logger;
}

/**
 * The plane's side of the RPC (see rpc-protocol.ts) on a unix socket (mode 0600). Any number of clients may be
 * connected, each with its own calls and subscriptions; a client that disconnects cancels only its own. The
 * socket is a lock: `start` fails with DAEMON_START while another server answers on it and takes over a stale one.
 */
export class RpcServer {
  private server: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();

  constructor(private readonly options: RpcServerOptions) {}

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.serve(socket));
    await listenOnOwnSocket(server, this.options.socket, 'berth data plane');
    this.server = server;
  }

  /** Stops accepting, ends every connection (after what is queued is written) and removes the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.connections) socket.end();
    const deadline = setTimeout(() => { for (const socket of this.connections) socket.destroy(); }, 2_000);
    await closed;
    clearTimeout(deadline);
    rmSync(this.options.socket, { force: true });
  }

  private serve(socket: net.Socket): void {
    this.connections.add(socket);
    const running = new Map<number, AbortController>();
    const send = (message: ServerMessage): void => {
      if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
    };
    const splitter = new LineSplitter((line) => {
      const message = parseClientMessage(line);
      if (message === undefined) {
        this.options.log.warn('malformed rpc message ignored', { bytes: line.length });
        return;
      }
      if ('cancel' in message) running.get(message.id)?.abort();
      else this.dispatch(message, running, send);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (error) {
        this.options.log.warn('rpc connection dropped', { error: String(error) });
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.connections.delete(socket);
      for (const abort of running.values()) abort.abort();
      running.clear();
    });
  }

  private dispatch(request: RpcRequest, running: Map<number, AbortController>, send: (message: ServerMessage) => void): void {
    const { id, method, params } = request;
    const abort = new AbortController();
    running.set(id, abort);
    const call = this.options.methods.calls[method];
    const stream = this.options.methods.streams[method];
    let outcome: Promise<unknown>;
    try {
      if (call) outcome = call(params, abort.signal);
      else if (stream) outcome = stream(params, abort.signal, (event) => send({ id, event })).then(() => null);
      else outcome = Promise.reject(new Error(`no rpc method ${method}`));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => send({ id, result: result ?? null }),
      (error: unknown) => {
        if (!(error instanceof BerthError)) this.options.log.error('rpc call crashed', { method, error: error instanceof Error ? error.stack : String(error) });
        send({ id, error: toWireError(error) });
      },
    ).finally(() => running.delete(id));
  }
}


