import type { ProxyObserver, RequestRecord } from './observers.js';

/** Where access log lines go: a file stream, stdout, or a test's array. */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * The access log: one JSON object per line per request, keys in a fixed order — time (when the request finished),
 * request_id, client_ip, method, host, path, status, duration_ms (3 decimals), route, upstream, tries, failures
 * (the tries given up, `[{upstream, status}]`, status 0 = no answer), bytes_in, bytes_out (body bytes). Keys
 * without a value (no route, no upstream, no failed try) are left out. Query strings are never
 * logged: they carry tokens. Status 499 means the client left before any answer. Writing is the sink's business
 * (buffering, rotation); a sink that throws loses the line, never the request.
 */
export class AccessLog implements ProxyObserver {
  constructor(
    private readonly sink: LineSink,
    private readonly clock: () => number = Date.now,
  ) {}

  onRequestDone(record: RequestRecord): void {
    try {
      this.sink.write(`${formatAccessLine(record, this.clock())}\n`);
    } catch {
      // The log is best effort: a full disk must not turn into failed requests.
    }
  }
}

/** One access log line, without its newline; `finishedAt` in ms since the epoch. */
export function formatAccessLine(record: RequestRecord, finishedAt: number): string {
  const query = record.path.indexOf('?');
  return JSON.stringify({
    time: new Date(finishedAt).toISOString(),
    request_id: record.requestId,
    client_ip: record.clientIp,
    method: record.method,
    host: record.host,
    path: query < 0 ? record.path : record.path.slice(0, query),
    status: record.status,
    duration_ms: Math.round(record.durationMs * 1000) / 1000,
    route: record.route,
    upstream: record.upstream,
    tries: record.tries,
    failures: record.failures,
    bytes_in: record.bytesIn,
    bytes_out: record.bytesOut,
  });
}
