import { afterEach, describe, expect, it } from 'vitest';
import { ipAllowList } from './ip-allow-list.js';
import { serveMiddlewares, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const from = (ip: string) => ({ headers: { 'x-test-client-ip': ip } });

describe('ipAllowList', () => {
  it('forwards a client in a listed range, by its real socket address', async () => {
    server = await serveMiddlewares([ipAllowList({ ranges: ['127.0.0.0/8'] })]);
    expect((await server.send({})).body).toBe('upstream');
  });

  it('answers 403 naming the request id to a client outside every range, without forwarding', async () => {
    server = await serveMiddlewares([ipAllowList({ ranges: ['10.0.0.0/8'] })]);
    const res = await server.send({});
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/^403 Forbidden\nrequest id: req-\d+\n$/);
    expect(server.forwarded).toHaveLength(0);
  });

  it('matches single addresses, IPv4 and IPv6 ranges, and IPv4-mapped clients as IPv4', async () => {
    server = await serveMiddlewares([ipAllowList({ ranges: ['192.168.1.7', '10.0.0.0/8', '2001:db8::/32', '::1'] })]);
    const status = async (ip: string) => (await server?.send(from(ip)))?.status;
    expect(await status('192.168.1.7')).toBe(200);
    expect(await status('192.168.1.8')).toBe(403);
    expect(await status('10.200.3.4')).toBe(200);
    expect(await status('::ffff:10.200.3.4')).toBe(200);
    expect(await status('11.0.0.1')).toBe(403);
    expect(await status('2001:db8:ffff::1')).toBe(200);
    expect(await status('2001:db9::1')).toBe(403);
    expect(await status('::1')).toBe(200);
    expect(await status('not-an-ip')).toBe(403);
  });

  it.each([
    [[], 'middlewares.ipAllowList.ranges'],
    [['10.0.0.0/8', '10.0.0.0/33'], 'middlewares.ipAllowList.ranges[1]'],
    [['example.com'], 'middlewares.ipAllowList.ranges[0]'],
    [['2001:db8::/129'], 'middlewares.ipAllowList.ranges[0]'],
    [['10.0.0.0/'], 'middlewares.ipAllowList.ranges[0]'],
  ])('refuses bad ranges when it is built (%#)', (ranges, path) => {
    expect(thrown(() => ipAllowList({ ranges }))).toMatchObject({ code: 'SPEC_BERTH', path });
  });
});
