import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BasicAuthOptions } from '../../model/route-middlewares.js';
import { basicAuth } from './basic-auth.js';
import { serveMiddlewares, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const OPTIONS: BasicAuthOptions = {
  realm: 'admin area',
  users: [{ name: 'alice', sha256: sha256('correct horse') }, { name: 'bob', sha256: sha256('pa:ss:wörd') }],
};
const basic = (credentials: string) => ({ headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } });

describe('basicAuth', () => {
  it('answers 401 with a Basic challenge and does not forward a request without credentials', async () => {
    server = await serveMiddlewares([basicAuth(OPTIONS)]);
    const res = await server.send({ path: '/admin' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="admin area", charset="UTF-8"');
    expect(res.body).toMatch(/^401 Unauthorized\nrequest id: req-\d+\n$/);
    expect(server.forwarded).toHaveLength(0);
  });

  it('forwards a request with a listed user and the right password, a colon in the password included', async () => {
    server = await serveMiddlewares([basicAuth(OPTIONS)]);
    expect((await server.send(basic('alice:correct horse'))).body).toBe('upstream');
    expect((await server.send(basic('bob:pa:ss:wörd'))).body).toBe('upstream');
    expect(server.forwarded[0]?.req.headers.authorization).toMatch(/^Basic /);
  });

  it.each([
    ['a wrong password', basic('alice:wrong')],
    ['an unknown user', basic('mallory:correct horse')],
    ['another scheme', { headers: { authorization: 'Bearer abc' } }],
    ['no colon', basic('alice')],
    ['garbage', { headers: { authorization: 'Basic !!!' } }],
  ])('refuses %s with 401', async (_, request) => {
    server = await serveMiddlewares([basicAuth(OPTIONS)]);
    const res = await server.send(request);
    expect(res.status).toBe(401);
    expect(server.forwarded).toHaveLength(0);
  });

  it.each([
    [{ ...OPTIONS, users: [] }, 'middlewares.basicAuth.users'],
    [{ ...OPTIONS, realm: 'say "hi"' }, 'middlewares.basicAuth.realm'],
    [{ ...OPTIONS, users: [{ name: 'a:b', sha256: sha256('x') }] }, 'middlewares.basicAuth.users[0]'],
    [{ ...OPTIONS, users: [{ name: 'a', sha256: 'abc' }] }, 'middlewares.basicAuth.users[0]'],
    [{ ...OPTIONS, users: [{ name: 'a', sha256: sha256('x') }, { name: 'a', sha256: sha256('y') }] }, 'middlewares.basicAuth.users[1]'],
  ])('refuses bad options when it is built (%#)', (options, path) => {
    expect(thrown(() => basicAuth(options))).toMatchObject({ code: 'SPEC_BERTH', path });
  });
});
