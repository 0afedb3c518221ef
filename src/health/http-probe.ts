import http from 'node:http';
import type { Endpoint } from '../runtime/runtime.js';
import { abortMessage, failed, passed, type Probe, type ProbeResult, socketErrorMessage, stopwatch } from './probe.js';

export interface HttpProbeOptions {
  readonly endpoint: Endpoint;
  /** Request path with its query, starting with `/`. */
  readonly path: string;
  /** The one status that counts as healthy; absent = any 2xx or 3xx (redirects are not followed). */
  readonly status?: number;
}

/** A fresh connection per check: a pooled socket could hide a replica that stopped accepting connections. */
const AGENT = new http.Agent({ keepAlive: false });
/** How much of a failing response's body goes into the reason. */
const BODY_LIMIT = 200;

/**
 * GET `path` on the endpoint over plain HTTP/1.1. Healthy when the status matches; otherwise the reason names the
 * status and the start of the body (`HTTP 503 Service Unavailable (expected 2xx or 3xx): db down`).
 * It does not follow redirects, speak TLS or time itself out (abort `signal` for that).
 */
export function httpProbe(options: HttpProbeOptions): Probe {
  return { check: (signal) => checkHttp(options, signal) };
}

function checkHttp(options: HttpProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
  const elapsed = stopwatch();
  if (signal.aborted) return Promise.resolve(failed(elapsed(), abortMessage(signal)));
  const { endpoint } = options;
  return new Promise((resolve) => {
    const request = http.request({
      host: endpoint.host, port: endpoint.port, path: options.path, method: 'GET', agent: AGENT, signal,
      headers: { 'user-agent': 'berth-health', accept: '*/*' },
    }, (response) => {
      const status = response.statusCode ?? 0;
      const ok = options.status === undefined ? status >= 200 && status < 400 : status === options.status;
      if (ok) {
        response.destroy();
        resolve(passed(elapsed()));
        return;
      }
      readSome(response, BODY_LIMIT, (body) => {
        const expected = options.status === undefined ? '2xx or 3xx' : String(options.status);
        const head = `HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd();
        resolve(failed(elapsed(), `${head} (expected ${expected})${body === '' ? '' : `: ${body}`}`));
      });
    });
    request.on('error', (error) => resolve(failed(elapsed(), signal.aborted ? abortMessage(signal) : socketErrorMessage(error, endpoint))));
    request.end();
  });
}

/** Reads up to `limit` characters of the body (one line, trimmed), then drops the connection. */
function readSome(response: http.IncomingMessage, limit: number, done: (body: string) => void): void {
  let body = '';
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    response.destroy();
    done(body.replace(/\s+/g, ' ').trim().slice(0, limit));
  };
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    body += chunk;
    if (body.length >= limit) finish();
  });
  response.on('end', finish);
  response.on('error', finish);
  response.on('close', finish);
}
