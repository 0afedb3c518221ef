/**
 * A minimal app replica for the proxy bench (as /work/shared/bench/proxy/upstream.js): node:http, 200 with a
 * 100-byte body, keep-alive. Usage: `node --import tsx bench/proxy/upstream.ts PORT`.
 */
import http from 'node:http';

const port = Number(process.argv[2] ?? 18081);
const body = Buffer.from(`${`replica ${port} `.padEnd(99, 'x')}\n`);
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
