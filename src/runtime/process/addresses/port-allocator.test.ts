import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortAllocator } from './port-allocator.js';

describe('PortAllocator', () => {
  it('hands out distinct free ports on 127.0.0.1 that can be listened on', async () => {
    const ports = await new PortAllocator().allocate(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('hands out distinct ports to concurrent allocations', async () => {
    const allocator = new PortAllocator();
    const ports = (await Promise.all(Array.from({ length: 8 }, () => allocator.allocate(3)))).flat();
    expect(new Set(ports).size).toBe(24);
  });

  it('never hands out a reserved port or one it handed out recently', async () => {
    const allocator = new PortAllocator();
    const first = await allocator.allocate(20);
    allocator.release(first);
    const second = await allocator.allocate(20);
    expect(second.filter((p) => first.includes(p))).toEqual([]);
    const reserved = new PortAllocator();
    reserved.reserve(second);
    expect((await reserved.allocate(20)).filter((p) => second.includes(p))).toEqual([]);
  });
});
