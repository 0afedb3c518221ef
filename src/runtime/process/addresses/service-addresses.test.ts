import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ServiceDirectory } from './service-addresses.js';

const services = ['web', 'db', 'redis', 'worker'].map((name) => ({ name, aliases: name === 'db' ? ['database'] : [] }));

describe('ServiceDirectory', () => {
  it('gives every service a distinct loopback address in 127.77.0.0/16', () => {
    const directory = new ServiceDirectory('shop', services);
    const addresses = services.map((s) => directory.addressOf(s.name));
    expect(new Set(addresses).size).toBe(services.length);
    for (const address of addresses) expect(address).toMatch(/^127\.77\.(\d+)\.(\d+)$/);
  });

  it('keeps addresses stable across service order, added services and a fresh directory', () => {
    const one = new ServiceDirectory('shop', services);
    const two = new ServiceDirectory('shop', [...services].reverse().concat([{ name: 'mailer', aliases: [] }]));
    for (const s of services) expect(two.addressOf(s.name)).toBe(one.addressOf(s.name));
    expect(new ServiceDirectory('shop', []).addressOf('web')).toBe(one.addressOf('web'));
  });

  it('gives the same service name different addresses in different stacks', () => {
    expect(new ServiceDirectory('shop', services).addressOf('web')).not.toBe(new ServiceDirectory('blog', services).addressOf('web'));
  });

  it('separates services whose hashes collide, in sorted-name order', () => {
    // Find two names that collide in one stack by brute force, then check both get distinct addresses.
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair && i < 100_000; i += 1) {
      const name = `s${i}`;
      const address = new ServiceDirectory('x', []).addressOf(name);
      const other = seen.get(address);
      if (other) pair = [other, name];
      else seen.set(address, name);
    }
    expect(pair).toBeDefined();
    const [first, second] = pair as [string, string];
    const directory = new ServiceDirectory('x', [{ name: second, aliases: [] }, { name: first, aliases: [] }]);
    expect(directory.addressOf(first)).not.toBe(directory.addressOf(second));
    expect(directory.addressOf([first, second].sort()[0] as string)).toBe(new ServiceDirectory('x', []).addressOf(first));
  });

  it('resolves service names and aliases, and nothing else', () => {
    const directory = new ServiceDirectory('shop', services);
    expect(directory.resolve('database')).toBe(directory.addressOf('db'));
    expect(directory.resolve('db')).toBe(directory.addressOf('db'));
    expect(directory.resolve('localhost')).toBeUndefined();
    expect(directory.with([{ name: 'mailer', aliases: ['smtp'] }]).resolve('smtp')).toBe(directory.addressOf('mailer'));
  });

  it('hands out addresses that an unprivileged process can listen on', async () => {
    const address = new ServiceDirectory('shop', services).addressOf('web');
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, resolve));
    expect((server.address() as net.AddressInfo).address).toBe(address);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('service addresses of same-named projects', () => {
  it('differ when the seeds (the projects\' state dirs) differ, so two checkouts of one stack can run at once', () => {
    const services = [{ name: 'db', aliases: [] }, { name: 'redis', aliases: [] }, { name: 'api', aliases: [] }];
    const a = new ServiceDirectory('tasks', services, '/home/me/a/.berth\0tasks');
    const b = new ServiceDirectory('tasks', services, '/home/me/b/.berth\0tasks');
    for (const { name } of services) expect(a.addressOf(name)).not.toBe(b.addressOf(name));
    expect(new ServiceDirectory('tasks', services, '/home/me/a/.berth\0tasks').addressOf('db')).toBe(a.addressOf('db'));
  });
});
