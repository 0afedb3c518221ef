import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceService } from '../../conformance.js';
import type { Instance } from '../../runtime.js';
import { PortAllocator } from '../addresses/port-allocator.js';
import { ProcessRuntime } from '../process-runtime.js';
import { eventually, specOf, tempProject } from '../test-helpers.js';
import { addRedisCliPort } from './redis.js';

const run = promisify(execFile);
const project = tempProject('berth-redis-');
const runtime = new ProcessRuntime({ stateDir: project.stateDir });
let instance: Instance;
let published: number;

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout.trim();
}

/** The seed stack's healthcheck (`["CMD", "redis-cli", "ping"]`), as the supervisor runs it. */
async function waitPong(): Promise<void> {
  const probe = () => runtime.exec(instance.id, { kind: 'exec', argv: ['redis-cli', 'ping'] }, { timeoutMs: 3000 });
  expect((await eventually(probe, (r) => r.output.trim() === 'PONG')).output.trim()).toBe('PONG');
}

beforeAll(async () => {
  [published] = (await new PortAllocator().allocate(1)) as [number];
  const service = conformanceService('redis', {
    image: 'redis:7-alpine',
    command: ['redis-server', '--appendonly', 'yes'],
    ports: [{ target: 6379, published: String(published), hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }],
    volumes: [{ type: 'volume', source: 'redis-data', target: '/data', readOnly: false, volume: { nocopy: false } }],
  });
  instance = await runtime.start((await runtime.create(specOf({ projectDir: project.dir, service }))).id);
  await waitPong();
});

afterAll(async () => {
  await runtime.stopOrphans();
  await runtime.close();
  project.remove();
});

describe('redis image adapter', () => {
  it('runs redis-server on the replica port with the command\'s options and its data in the volume folder', async () => {
    const port = instance.endpoints[6379]?.port as number;
    expect(await cli(port, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
    expect(await cli(port, 'CONFIG', 'GET', 'dir')).toBe(`dir\n${path.join(project.stateDir, 'volumes', 'redis-data')}`);
    const files = readdirSync(path.join(project.stateDir, 'volumes', 'redis-data'));
    expect(files.some((f) => f.startsWith('appendonly'))).toBe(true);
  });

  it('is reachable through the service address and the published port', async () => {
    expect(runtime.publishedPorts('demo', 'redis')).toEqual([{ hostIp: '127.0.0.1', hostPort: published, containerPort: 6379 }]);
    const address = runtime.serviceAddress('demo', 'redis');
    const { stdout } = await run('redis-cli', ['-h', address, '-p', '6379', 'SET', 'greeting', 'hola'], { timeout: 5000 });
    expect(stdout.trim()).toBe('OK');
    expect(await cli(published, 'GET', 'greeting')).toBe('hola');
  });

  it('keeps appended data across a stop and a start', async () => {
    await cli(published, 'SET', 'kept', 'yes');
    expect(await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 10_000 })).toMatchObject({ code: 0 });
    expect(existsSync(path.join(project.stateDir, 'volumes', 'redis-data', 'appendonlydir'))).toBe(true);
    instance = await runtime.start(instance.id);
    await waitPong();
    expect(await cli(published, 'GET', 'kept')).toBe('yes');
  });
});

describe('addRedisCliPort', () => {
  it.each([
    [{ kind: 'exec' as const, argv: ['redis-cli', 'ping'] }, { kind: 'exec', argv: ['redis-cli', '-p', '41003', 'ping'] }],
    [{ kind: 'exec' as const, argv: ['/usr/bin/redis-cli', '--raw', 'incr', 'ping'] }, { kind: 'exec', argv: ['/usr/bin/redis-cli', '-p', '41003', '--raw', 'incr', 'ping'] }],
    [{ kind: 'exec' as const, argv: ['redis-cli', '-p', '41003', 'ping'] }, { kind: 'exec', argv: ['redis-cli', '-p', '41003', 'ping'] }],
    [{ kind: 'shell' as const, command: 'redis-cli ping | grep PONG' }, { kind: 'shell', command: 'redis-cli -p 41003 ping | grep PONG' }],
    [{ kind: 'exec' as const, argv: ['curl', 'x'] }, { kind: 'exec', argv: ['curl', 'x'] }],
  ])('%j', (command, expected) => {
    expect(addRedisCliPort(command, '41003')).toEqual(expected);
  });
});
