/*
 * HTTP Upgrade (WebSocket) passthrough: the handshake goes to one endpoint; on 101 the two sockets are piped to
 * each other and the proxy no longer looks at the bytes. Connect failures are retried on another endpoint
 * (nothing was sent); anything after that is answered 502/504 and closed.
 */
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoint } from '../upstream/endpoint.js';
import { writeRawError } from './error-response.js';
import { upstreamRequestHeaders, type ForwardedInfo } from './headers.js';
import type { FailedTry, ProxyRequest, ResolvedRoute } from './proxy-context.js';
import { mayRetry, type RetryOptions } from './retry-policy.js';
import type { ProxyTimeouts } from './timeouts.js';

export interface UpgradeOptions {
  readonly req: ProxyRequest;
  readonly socket: Socket;
  readonly head: Buffer;
  readonly route: ResolvedRoute;
  readonly info: ForwardedInfo;
  readonly timeouts: ProxyTimeouts;
  readonly retry: RetryOptions;
  /**
   * Called once when the client socket closes: the status it got, the endpoint, the number of tries, and the
   * tries given up (status 0: no answer), undefined when none was.
   */
  readonly onClose: (status: number, upstream: string | undefined, tries: number, failures: readonly FailedTry[] | undefined) => void;
}

const DROP_ON_101: ReadonlySet<string> = new Set(['keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer']);
const DROP_ON_REFUSAL: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length',
]);

/** Passes an upgrade request through. Owns `socket` from here on (it is always closed in the end). */
export function forwardUpgrade(options: UpgradeOptions): void {
  const { req, socket, head, route, info, timeouts, retry } = options;
  const headers = upstreamRequestHeaders(req, info, true);
  const tried: Endpoint[] = [];
  const startHr = performance.now();
  let status = 0;
  let upstream: string | undefined;
  let settled = false;
  let upSocket: Socket | undefined;
  let pending: http.ClientRequest | undefined;
  let failures: FailedTry[] | undefined;
  // The endpoint of the try in flight, then of the open tunnel: it counts as in flight until the tunnel closes.
  let held: Endpoint | undefined;
  const release = (): void => {
    if (held !== undefined) route.pool.release(held);
    held = undefined;
  };

  socket.setTimeout(0);
  socket.on('error', () => socket.destroy());
  socket.once('close', () => {
    pending?.destroy();
    upSocket?.destroy();
    release();
    options.onClose(status === 0 ? 499 : status, upstream, tried.length, failures);
  });

  const refuse = (code: number): void => {
    if (settled) return;
    settled = true;
    status = code;
    writeRawError(socket, code, info.requestId);
  };

  const attempt = (): void => {
    if (socket.destroyed) return;
    const ep = route.pool.pick(tried);
    if (ep === undefined) {
      refuse(tried.length === 0 ? 503 : 502);
      return;
    }
    tried.push(ep);
    upstream = ep.key;
    route.pool.acquire(ep);
    held = ep;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const preq = http.request({
      host: ep.host,
      port: ep.port,
      method: req.method,
      path: route.forwardPath,
      headers,
      agent: false,
    });
    pending = preq;
    const failTry = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      route.pool.reportFailure(ep);
      (failures ??= []).push({ upstream: ep.key, status: 0 });
      release();
      preq.destroy();
      const elapsedMs = performance.now() - startHr;
      if (!connected && mayRetry('connect', { method: 'GET', bodyStarted: false, tries: tried.length, elapsedMs }, retry)) {
        attempt();
      } else {
        refuse(timedOut ? 504 : 502);
      }
    };
    preq.on('socket', (s: Socket) => {
      if (timeouts.connectMs > 0) timer = setTimeout(() => failTry(true), timeouts.connectMs);
      s.once('connect', () => {
        connected = true;
        if (timer !== undefined) clearTimeout(timer);
        if (timeouts.responseHeaderMs > 0) timer = setTimeout(() => failTry(true), timeouts.responseHeaderMs);
      });
    });
    preq.on('error', () => failTry(false));
    preq.on('upgrade', (pres: IncomingMessage, up: Socket, upHead: Buffer) => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      route.pool.reportSuccess(ep);
      settled = true;
      status = 101;
      upSocket = up;
      if (socket.destroyed) {
        up.destroy();
        return;
      }
      socket.write(rawHead(101, pres.rawHeaders, DROP_ON_101, undefined));
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) up.write(head);
      up.setTimeout(0);
      up.setNoDelay(true);
      socket.setNoDelay(true);
      up.on('error', () => up.destroy());
      up.once('close', () => socket.destroy());
      up.pipe(socket);
      socket.pipe(up);
    });
    preq.on('response', (pres: IncomingMessage) => {
      // The upstream declined to upgrade: pass its answer on, close-delimited, then close.
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      settled = true;
      status = pres.statusCode ?? 502;
      socket.write(rawHead(status, pres.rawHeaders, DROP_ON_REFUSAL, 'connection: close\r\n'));
      pres.pipe(socket);
      pres.on('error', () => socket.destroy());
    });
    preq.end();
  };
  attempt();
}

function rawHead(status: number, raw: readonly string[], drop: ReadonlySet<string>, extra: string | undefined): string {
  let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (drop.has(name.toLowerCase())) continue;
    out += `${name}: ${raw[i + 1] as string}\r\n`;
  }
  return out + (extra ?? '') + '\r\n';
}
