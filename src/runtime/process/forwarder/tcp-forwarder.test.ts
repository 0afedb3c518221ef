import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../runtime.js';
import { TcpForwarder } from './tcp-forwarder.js';

const servers: net.Server[] = [];
const forwarders: TcpForwarder[] = [];

afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A backend that answers every connection with its name. */
async function backend(name: string): Promise<Endpoint> {
  const server = net.createServer((socket) => socket.end(name));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** A port nothing listens on: connections to it are refused. */
async function refusedPort(): Promise<Endpoint> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return { host: '127.0.0.1', port };
}

async function forwarder(backends: () => readonly Endpoint[]): Promise<TcpForwarder> {
  const f = new TcpForwarder({ host: '127.0.0.1', port: 0, backends });
  forwarders.push(f);
  await f.start();
  return f;
}

function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('TcpForwarder', () => {
  it('spreads connections round-robin over the backends', async () => {
    const backends = [await backend('a'), await backend('b'), await backend('c')];
    const f = await forwarder(() => backends);
    const answers: string[] = [];
    for (let i = 0; i < 6; i += 1) answers.push(await ask(f.port));
    expect(answers).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('tries the next backend when one refuses the connection', async () => {
    const backends = [await refusedPort(), await backend('b')];
    const f = await forwarder(() => backends);
    expect([await ask(f.port), await ask(f.port), await ask(f.port)]).toEqual(['b', 'b', 'b']);
  });

  it('closes the client when no backend accepts, or there is none', async () => {
    const dead = [await refusedPort()];
    expect(await ask((await forwarder(() => dead)).port)).toBe('');
    expect(await ask((await forwarder(() => [])).port)).toBe('');
  });

  it('asks for the backends on every connection', async () => {
    let backends: Endpoint[] = [await backend('old')];
    const f = await forwarder(() => backends);
    expect(await ask(f.port)).toBe('old');
    backends = [await backend('new')];
    expect(await ask(f.port)).toBe('new');
  });

  it('passes data both ways and half-closes', async () => {
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => socket.end(text.toUpperCase()));
    });
    servers.push(echo);
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const f = await forwarder(() => [{ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port }]);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ port: f.port, host: '127.0.0.1', allowHalfOpen: true });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.end('ping over the forwarder');
    });
    expect(reply).toBe('PING OVER THE FORWARDER');
  });

  it('reports a port in use as RUNTIME_PORT_IN_USE', async () => {
    const taken = await backend('x');
    const f = new TcpForwarder({ host: '127.0.0.1', port: taken.port, backends: () => [], label: 'service web, published port' });
    await expect(f.start()).rejects.toMatchObject({ code: 'RUNTIME_PORT_IN_USE', message: expect.stringContaining('already in use') });
    await f.close();
  });
});
