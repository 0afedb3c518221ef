/**
 * berth's edge proxy alone in its own process, for the proxy bench: an HttpProxyServer on 127.0.0.1:PORT whose
 * resolve() reads a Router's RouteTable once per request (one catch-all route) and sends everything to one pool
 * holding the UPSTREAMS (`host:port,host:port`), round robin.
 * Usage: `PORT=18120 UPSTREAMS=127.0.0.1:18081,127.0.0.1:18082 node --import tsx bench/proxy/berth-proxy.ts`.
 */
import { HttpProxyServer } from '../../src/proxy/http-proxy-server.js';
import { RouteTable } from '../../src/proxy/routing/route-table.js';
import { Router } from '../../src/proxy/routing/router.js';
import { UpstreamPool } from '../../src/proxy/upstream/pool.js';

const port = Number(process.env.PORT ?? 18120);
const endpoints = (process.env.UPSTREAMS ?? '127.0.0.1:18081,127.0.0.1:18082').split(',').map((hp) => {
  const [host = '127.0.0.1', p = '0'] = hp.split(':');
  return { host, port: Number(p) };
});
const pool = new UpstreamPool({ name: 'app', endpoints });
const router = new Router(
  RouteTable.compile([{ id: 'app#0', service: 'app', hosts: [], pathPrefix: '/', stripPrefix: false, targetPort: 8000, options: {} }]),
);
const server = new HttpProxyServer({
  host: '127.0.0.1',
  port,
  closeGraceMs: 1_000,
  resolve: (req) => {
    const match = router.current.match(req.headers.host, req.url ?? '/');
    return match === undefined ? undefined : { pool, forwardPath: match.forwardPath, name: match.route.id };
  },
});
await server.start();
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
