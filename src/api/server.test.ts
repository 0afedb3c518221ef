import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { ApiClient } from './client.js';
import { ApiServer, type Route } from './server.js';

const dirs: string[] = [];
const servers: ApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function socketPath(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-api-'));
  dirs.push(dir);
  return path.join(dir, 'daemon.sock');
}

function server(socket: string, name: string): ApiServer {
  const routes: Route[] = [{ method: 'GET', path: '/v1/ping', stream: false, handler: async () => ({ name }) }];
  const created = new ApiServer({ socket, routes, log: silentLogger });
  servers.push(created);
  return created;
}

describe('ApiServer', () => {
  it('refuses to take the socket of a server that answers, and leaves that one serving', async () => {
    const socket = socketPath();
    await server(socket, 'first').start();
    const second = server(socket, 'second');
    await expect(second.start()).rejects.toMatchObject({ code: 'DAEMON_START', message: expect.stringContaining('another berth daemon') });
    await second.close();
    expect(existsSync(socket)).toBe(true);
    expect(await new ApiClient(socket).get('/v1/ping')).toEqual({ name: 'first' });
  });

  it('takes over a stale socket whose server died', async () => {
    const socket = socketPath();
    const script = `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', script], { timeout: 10_000 });
    expect(existsSync(socket)).toBe(true);
    await server(socket, 'next').start();
    expect(await new ApiClient(socket).get('/v1/ping')).toEqual({ name: 'next' });
  });
});
