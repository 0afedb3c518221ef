import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http01Responder } from './http01-responder.js';

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  })));
});

/** A listener that asks the responder first and answers 404 "routed" for everything else, as the proxy would route. */
async function serve(responder: Http01Responder): Promise<number> {
  const server = http.createServer((req, res) => {
    if (responder.handle(req, res)) return;
    res.writeHead(404).end('routed');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function request(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { host: 'app.example.test' } });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

describe('Http01Responder', () => {
  it('answers a challenge it holds with the key authorization as text', async () => {
    const responder = new Http01Responder();
    responder.set('tok-EN_1', 'tok-EN_1.thumbprint');
    const port = await serve(responder);
    expect(await request(port, '/.well-known/acme-challenge/tok-EN_1')).toEqual({ status: 200, body: 'tok-EN_1.thumbprint', type: 'text/plain' });
    expect(await request(port, '/.well-known/acme-challenge/tok-EN_1?x=1')).toMatchObject({ status: 200, body: 'tok-EN_1.thumbprint' });
    expect(await request(port, '/.well-known/acme-challenge/tok-EN_1', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('leaves unknown tokens, other methods, other paths and removed tokens to routing', async () => {
    const responder = new Http01Responder();
    const port = await serve(responder);
    expect(await request(port, '/.well-known/acme-challenge/abc')).toMatchObject({ status: 404, body: 'routed' });
    responder.set('abc', 'abc.thumbprint');
    expect(responder.size).toBe(1);
    expect(await request(port, '/.well-known/acme-challenge/other')).toMatchObject({ status: 404, body: 'routed' });
    expect(await request(port, '/.well-known/acme-challenge/abc', 'POST')).toMatchObject({ status: 404, body: 'routed' });
    expect(await request(port, '/abc')).toMatchObject({ status: 404, body: 'routed' });
    responder.delete('abc');
    expect(await request(port, '/.well-known/acme-challenge/abc')).toMatchObject({ status: 404, body: 'routed' });
  });
});
