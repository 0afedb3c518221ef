import http from 'node:http';
import { BerthError } from '../errors.js';
import type { ApiError, StreamLine } from './protocol.js';

/** An error the daemon reported: its text is already formatted for people (position, code, hint). */
export class RemoteError extends Error {
  constructor(readonly detail: ApiError) {
    super(detail.message);
    this.name = 'RemoteError';
  }

  /** The lines to print: one per problem. */
  lines(): string[] {
    return this.detail.issues && this.detail.issues.length > 0 ? this.detail.issues.map((i) => i.message) : [this.detail.message];
  }
}

/** The CLI's side of the daemon API (see protocol.ts). */
export class ApiClient {
  constructor(private readonly socket: string) {}

  async get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path, undefined);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  /** Calls a streaming route: `onEvent` gets each event; resolves with the result line, rejects with its error. */
  async stream<E, R>(method: 'GET' | 'POST', path: string, body: unknown, onEvent: (event: E) => void, signal?: AbortSignal): Promise<R> {
    const res = await this.open(method, path, body, signal);
    let buffer = '';
    let outcome: { result: R } | { error: ApiError } | undefined;
    try {
      for await (const chunk of res) {
        buffer += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, newline)) as StreamLine<E, R>;
          buffer = buffer.slice(newline + 1);
          if ('event' in line) onEvent(line.event);
          else outcome = line;
        }
      }
    } catch (error) {
      // The daemon went away mid-answer (killed, crashed): the stream is cut ("aborted", ECONNRESET).
      if (signal?.aborted) throw error;
      outcome = undefined;
    }
    if (!outcome) {
      throw new BerthError('DAEMON_UNREACHABLE', 'the daemon stopped before the operation finished', {
        hint: 'the stack keeps serving; `berth up -d` starts a new daemon, which takes the stack over (a deploy cut short is rolled back). See .berth/daemon.log',
      });
    }
    if ('error' in outcome) throw new RemoteError(outcome.error);
    return outcome.result;
  }

  private async json<T>(method: 'GET' | 'POST', path: string, body: unknown): Promise<T> {
    const res = await this.open(method, path, body);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as T | { error: ApiError };
    if ((res.statusCode ?? 500) >= 400) throw new RemoteError((value as { error: ApiError }).error);
    return value as T;
  }

  private open(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({
        socketPath: this.socket, method, path, signal,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      }, resolve);
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Refused or cut while connecting: no daemon, or one that is exiting.
        if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'EPIPE' || error.code === 'ECONNRESET') {
          reject(new BerthError('DAEMON_UNREACHABLE', 'no berth daemon is running for this project', { hint: 'start the stack with `berth up -d`', cause: error }));
        } else reject(error);
      });
      req.end(payload);
    });
  }
}
