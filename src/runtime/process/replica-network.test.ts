import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackName } from '../../model/ids.js';
import type { Service, Stack } from '../../model/stack.js';
import { collect, conformanceService, waitForLine } from '../conformance.js';
import type { Instance } from '../runtime.js';
import { PortAllocator } from './addresses/port-allocator.js';
import { ProcessRuntime } from './process-runtime.js';
import { leftovers, nodeService, specOf, tempProject } from './test-helpers.js';

const GREETER = `require('net').createServer((s) => s.end(process.env.BERTH_REPLICA)).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));`;

let project: ReturnType<typeof tempProject>;
let runtime: ProcessRuntime;
const pgids: number[] = [];

beforeEach(() => {
  project = tempProject();
  runtime = new ProcessRuntime({ stateDir: project.stateDir });
});
afterEach(async () => {
  for (const instance of await runtime.list(stackName('demo'))) if (instance.pid) pgids.push(instance.pid);
  await runtime.stopOrphans();
  await runtime.close();
  project.remove();
  expect(leftovers(pgids.splice(0))).toEqual([]);
});

async function up(service: Service, replica = 1): Promise<Instance> {
  const instance = await runtime.start((await runtime.create(specOf({ projectDir: project.dir, service, replica }))).id);
  await waitForLine(runtime, instance.id, (l) => l.text === 'listening' || l.text === 'ready');
  return instance;
}

function ask(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('service addresses and published ports', () => {
  it('round-robins the service address over running replicas only', async () => {
    const api = nodeService('api', GREETER, project.dir, { expose: ['8000'] });
    const one = await up(api, 1);
    await up(api, 2);
    const address = runtime.serviceAddress('demo', 'api');
    const answers = [await ask(8000, address), await ask(8000, address), await ask(8000, address), await ask(8000, address)];
    expect(answers.sort()).toEqual(['1', '1', '2', '2']);
    await runtime.stop(one.id, { signal: 'SIGTERM', graceMs: 2000 });
    expect([await ask(8000, address), await ask(8000, address), await ask(8000, address)]).toEqual(['2', '2', '2']);
  });

  it('rewrites references to other services in the environment to their addresses', async () => {
    const client = nodeService('client', `console.log(process.env.API_URL + ' ' + process.env.API_HOST); console.log('ready'); setInterval(() => {}, 1000);`, project.dir, {
      environment: { API_URL: 'http://api:8000/v1', API_HOST: 'api' }, dependsOn: { api: { condition: 'service_started', restart: false, required: true } },
    });
    const instance = await up(client);
    const line = await waitForLine(runtime, instance.id, (l) => l.text.startsWith('http://'));
    const address = runtime.serviceAddress('demo', 'api');
    expect(line.text).toBe(`http://${address}:8000/v1 ${address}`);
  });

  it('knows every service of a stack given with useStack, dependency or not', async () => {
    const mailer = conformanceService('mailer');
    const client = nodeService('client', `console.log('smtp=' + process.env.SMTP_HOST); setInterval(() => {}, 1000);`, project.dir, { environment: { SMTP_HOST: 'mailer' } });
    const stack = { name: 'demo', services: { mailer, client } } as unknown as Stack;
    runtime.useStack(stack);
    const instance = await runtime.start((await runtime.create(specOf({ projectDir: project.dir, service: client }))).id);
    expect((await waitForLine(runtime, instance.id, (l) => l.text.startsWith('smtp='))).text).toBe(`smtp=${runtime.serviceAddress('demo', 'mailer')}`);
  });

  it('publishes ports on the host, and refuses a host port that is taken', async () => {
    const [free, taken] = (await new PortAllocator().allocate(2)) as [number, number];
    await up(nodeService('web', GREETER, project.dir, { ports: [{ target: 8000, published: String(free), protocol: 'tcp', mode: 'ingress' }] }));
    expect(runtime.publishedPorts('demo', 'web')).toEqual([{ hostIp: '0.0.0.0', hostPort: free, containerPort: 8000 }]);
    expect(await ask(free)).toBe('1');

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    try {
      const other = nodeService('other', GREETER, project.dir, { ports: [{ target: 8000, published: String(taken), hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }] });
      await expect(runtime.create(specOf({ projectDir: project.dir, service: other }))).rejects.toMatchObject({ code: 'RUNTIME_PORT_IN_USE' });
      expect((await runtime.list(stackName('demo'))).map((i) => i.service)).toEqual(['web']);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes a service\'s address when its last replica is removed', async () => {
    const instance = await up(nodeService('api', GREETER, project.dir, { expose: ['8000'] }));
    const address = runtime.serviceAddress('demo', 'api');
    expect(await ask(8000, address)).toBe('1');
    await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 });
    await runtime.remove(instance.id);
    await expect(ask(8000, address)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives a service without container ports a private PORT, as Procfile processes expect', async () => {
    const web = conformanceService('web', {
      build: { context: project.dir, dockerfile: 'Dockerfile', args: {}, labels: {}, other: {} },
      command: ['/bin/sh', '-c', `echo "port=$PORT host=$HOST"; exec ${process.execPath} -e "setInterval(() => {}, 1000)"`],
    });
    const instance = await runtime.start((await runtime.create(specOf({ projectDir: project.dir, service: web }))).id);
    const line = await waitForLine(runtime, instance.id, (l) => l.text.startsWith('port='));
    expect(line.text).toMatch(/^port=\d+ host=127\.0\.0\.1$/);
    expect(instance.endpoints).toEqual({});
  });

  it('runs a built service\'s container command on the replica\'s port', async () => {
    writeFileSync(path.join(project.dir, 'server.js'), `
      const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
      const host = process.argv[process.argv.indexOf('--host') + 1];
      require('net').createServer((s) => s.end(host + ':' + port + ' ' + process.cwd())).listen(port, host, () => console.log('listening'));
    `);
    const web = conformanceService('web', {
      build: { context: project.dir, dockerfile: 'Dockerfile', args: {}, labels: {}, other: {} },
      command: [process.execPath, '/app/server.js', '--host', '0.0.0.0', '--port', '8000'],
      workingDir: '/app',
      volumes: [{ type: 'bind', source: project.dir, target: '/app', readOnly: false }],
      ports: [{ target: 8000, protocol: 'tcp', mode: 'ingress' }],
    });
    const instance = await up(web);
    const port = instance.endpoints[8000]?.port as number;
    expect(port).not.toBe(8000);
    expect(await ask(port)).toBe(`127.0.0.1:${port} ${project.dir}`);
    expect((await collect(runtime.logs(instance.id, { follow: false }))).map((l) => l.text)).toEqual(['listening']);
  });
});
