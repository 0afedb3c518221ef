import { rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { BerthError, isBerthError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ApiError } from './protocol.js';
import { listenOnOwnSocket } from './unix-socket.js';

export interface RouteContext {
  readonly url: URL;
  readonly body: unknown;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** For streaming routes: writes one NDJSON line. */
  readonly send: (line: unknown) => void;
}

/** A route returns a JSON value, or (for streams) calls `send` and returns undefined. */
export type RouteHandler = (ctx: RouteContext) => Promise<unknown>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly stream: boolean;
  readonly handler: RouteHandler;
}

export interface ApiServerOptions {
  readonly socket: string;
  readonly routes: readonly Route[];
  readonly log: Logger;
  /** Requests wait for this before they are handled (the daemon cleans up after its predecessor first). */
  readonly ready?: Promise<void>;
}

/**
 * Serves routes over a unix socket (mode 0600). One request body is at most 1 MiB. The socket is also the lock
 * that makes one daemon per project: `start` fails with DAEMON_START while another server answers on it, and
 * takes over only a stale socket (its server died).
 */
export class ApiServer {
  private server: http.Server | undefined;

  constructor(private readonly options: ApiServerOptions) {}

  async start(): Promise<void> {
    const server = http.createServer((req, res) => void this.dispatch(req, res));
    await listenOnOwnSocket(server, this.options.socket, 'berth daemon');
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.options.socket, { force: true });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    const route = this.options.routes.find((r) => r.method === req.method && r.path === url.pathname);
    if (!route) return reply(res, 404, { error: { code: 'API_NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      await this.options.ready;
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (route.stream) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const send = (line: unknown) => { if (!res.writableEnded) res.write(`${JSON.stringify(line)}\n`); };
        try {
          send({ result: await route.handler({ url, body, signal: abort.signal, send }) ?? null });
        } catch (error) {
          send({ error: toApiError(error) });
          this.logFailure(route, error);
        }
        res.end();
        return;
      }
      const value = await route.handler({ url, body, signal: abort.signal, send: () => undefined });
      reply(res, 200, value ?? null);
    } catch (error) {
      this.logFailure(route, error);
      if (!res.headersSent) reply(res, isBerthError(error) ? (error.code === 'USAGE' ? 400 : 409) : 500, { error: toApiError(error) });
    }
  }

  private logFailure(route: Route, error: unknown): void {
    if (isBerthError(error)) this.options.log.warn('request failed', { path: route.path, code: error.code, message: error.message });
    else this.options.log.error('request crashed', { path: route.path, error: error instanceof Error ? error.stack : String(error) });
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof BerthError) {
    return {
      code: error.code,
      message: error.format(),
      hint: undefined,
      issues: error.issues.length > 0 ? error.issues.map(toApiError) : undefined,
    };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}



function reply(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new BerthError('USAGE', 'request body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BerthError('USAGE', 'request body is not JSON');
  }
}
