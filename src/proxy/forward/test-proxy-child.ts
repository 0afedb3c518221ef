/*
 * Test support (not a test file): a proxy alone in a child process, so that a test can measure the proxy's own
 * memory. argv: upstream port. Sends `{ port }` when listening; on the message 'reset' it restarts peak
 * tracking, on 'peak' it answers `{ base, peak }` (RSS bytes sampled every 10 ms).
 */
import { HttpProxyServer } from '../http-proxy-server.js';
import { UpstreamPool } from '../upstream/pool.js';

const upstreamPort = Number(process.argv[2]);
const pool = new UpstreamPool({ name: 'child', endpoints: [{ host: '127.0.0.1', port: upstreamPort }] });
const proxy = new HttpProxyServer({
  host: '127.0.0.1',
  port: 0,
  closeGraceMs: 100,
  resolve: (req) => ({ pool, forwardPath: req.url ?? '/' }),
});
let base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

process.on('message', (msg) => {
  if (msg === 'reset') {
    base = process.memoryUsage().rss;
    peak = base;
    process.send?.({ base });
  } else if (msg === 'peak') {
    process.send?.({ base, peak: Math.max(peak, process.memoryUsage().rss) });
  }
});
process.on('disconnect', () => {
  clearInterval(sampler);
  void proxy.close();
});
await proxy.start();
process.send?.({ port: proxy.port });
