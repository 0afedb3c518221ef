/**
 * berth's edge proxy alone in its own process, for the proxy bench: one catch-all route to one pool holding the
 * UPSTREAMS (`host:port,host:port`), round robin, served on 127.0.0.1:PORT.
 * - default: an HttpProxyServer whose resolve() reads a Router's RouteTable once per request.
 * - `OBS=1`: with what the daemon runs beside it: Prometheus metrics and the JSON access log written to ACCESS_LOG
 *   (default `access.log` in the working directory).
 * - `WORKERS=N`: N worker processes (ProxyWorkers) sharing the route table; this process accepts and hands each
 *   connection to a worker, and (with OBS=1) observes the records they send back, as the daemon's primary does.
 * The bench runs it compiled to JavaScript (bench/proxy/compile.ts); from source:
 * `PORT=18120 UPSTREAMS=127.0.0.1:18081,127.0.0.1:18082 [OBS=1] [WORKERS=2] node --import tsx bench/proxy/berth-proxy.ts`.
 */
import { createWriteStream } from 'node:fs';
import { silentLogger } from '../../src/log/logger.js';
import type { ProxyObserver } from '../../src/proxy/forward/proxy-context.js';
import { HttpProxyServer } from '../../src/proxy/http-proxy-server.js';
import { AccessLog } from '../../src/proxy/observability/access-log.js';
import { BatchedSink } from '../../src/proxy/observability/batched-sink.js';
import { poolHealth, ProxyMetrics } from '../../src/proxy/observability/metrics.js';
import { fanOut } from '../../src/proxy/observability/observers.js';
import type { Route } from '../../src/proxy/routing/route.js';
import { RouteTable } from '../../src/proxy/routing/route-table.js';
import { Router } from '../../src/proxy/routing/router.js';
import { poolKey } from '../../src/proxy/serving-config.js';
import { UpstreamPool } from '../../src/proxy/upstream/pool.js';
import { ProxyWorkers } from '../../src/proxy/workers/proxy-workers.js';

const port = Number(process.env.PORT ?? 18120);
const workerCount = Number(process.env.WORKERS ?? 0);
const endpoints = (process.env.UPSTREAMS ?? '127.0.0.1:18081,127.0.0.1:18082').split(',').map((hp) => {
  const [host = '127.0.0.1', p = '0'] = hp.split(':');
  return { host, port: Number(p) };
});
const route: Route = { id: 'app#0', service: 'app', hosts: [], pathPrefix: '/', stripPrefix: false, targetPort: 8000, options: {} };
const pool = new UpstreamPool({ name: 'app', endpoints });

const accessLog = process.env.OBS === '1' ? createWriteStream(process.env.ACCESS_LOG ?? 'access.log', { flags: 'a', mode: 0o600 }) : undefined;
const observer: ProxyObserver | undefined =
  accessLog === undefined
    ? undefined
    : fanOut([new ProxyMetrics({ upstreams: () => poolHealth(workerCount > 0 ? [] : [pool]), processMetrics: true }), new AccessLog(new BatchedSink(accessLog))]);

let close: () => Promise<void>;
if (workerCount > 0) {
  const workers = new ProxyWorkers({
    count: workerCount,
    log: silentLogger,
    onRecords: (records) => {
      if (observer !== undefined) for (const record of records) observer.onRequestDone(record);
    },
    // From source, the workers need the TypeScript loader too; compiled (as the bench runs it), they need nothing.
    execArgv: import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [],
  });
  await workers.start();
  workers.send({ type: 'routes', routes: [route], httpsPort: 443 });
  workers.send({ type: 'endpoints', pools: [[poolKey(route.service, route.targetPort), endpoints]] });
  await workers.listen('http', port, '127.0.0.1');
  close = () => workers.close(1_000);
} else {
  const router = new Router(RouteTable.compile([route]));
  const server = new HttpProxyServer({
    host: '127.0.0.1',
    port,
    closeGraceMs: 1_000,
    ...(observer === undefined ? {} : { observer }),
    resolve: (req) => {
      const match = router.current.match(req.headers.host, req.url ?? '/');
      return match === undefined ? undefined : { pool, forwardPath: match.forwardPath, name: match.route.id };
    },
  });
  await server.start();
  close = () => server.close();
}
const stop = (): void =>
  void close()
    .then(() => new Promise<void>((resolve) => (accessLog === undefined ? resolve() : accessLog.end(() => resolve()))))
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
