import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackName } from '../../model/ids.js';
import { collect, conformanceService, WORKLOADS, waitForLine } from '../conformance.js';
import { ProcessRuntime } from './process-runtime.js';
import { EXEC_OUTPUT_LIMIT } from './spawn/exec-command.js';
import { isProcessAlive, waitFor } from './spawn/process-group.js';
import { leftovers, nodeService, specOf, tempProject } from './test-helpers.js';

let project: ReturnType<typeof tempProject>;
let runtime: ProcessRuntime;
const pgids: number[] = [];

beforeEach(() => {
  project = tempProject();
  runtime = new ProcessRuntime({ stateDir: project.stateDir, logMaxBytes: 4096, logMaxFiles: 3 });
});
afterEach(async () => {
  for (const instance of await runtime.list(stackName('demo'))) if (instance.pid) pgids.push(instance.pid);
  await runtime.stopOrphans();
  await runtime.close();
  project.remove();
  expect(leftovers(pgids.splice(0))).toEqual([]);
});

const create = (service: ReturnType<typeof nodeService>) => runtime.create(specOf({ projectDir: project.dir, service }));

describe('process runtime edge cases', () => {
  it('fails to start a program that does not exist, or in a folder that does not exist: RUNTIME_START_FAILED', async () => {
    const missing = conformanceService('ghost', { berth: { process: { command: ['no-such-program-here'], cwd: project.dir }, routes: [], other: {} } });
    const instance = await create(missing);
    await expect(runtime.start(instance.id)).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED', message: expect.stringContaining('was not found') });
    expect((await runtime.list(stackName('demo')))[0]?.state).toBe('created');
    const nowhere = await create(nodeService('nowhere', WORKLOADS.idle, path.join(project.dir, 'missing')));
    await expect(runtime.start(nowhere.id)).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED', message: expect.stringContaining('does not exist') });
  });

  it('refuses to create a service it cannot run: RUNTIME_UNRUNNABLE', async () => {
    await expect(create(conformanceService('proxy', { image: 'traefik:v3' }))).rejects.toMatchObject({ code: 'RUNTIME_UNRUNNABLE' });
    expect(await runtime.list(stackName('demo'))).toEqual([]);
  });

  it('rotates a chatty replica\'s log and still reads the newest lines in order', async () => {
    const chatty = nodeService('chatty', `for (let i = 0; i < 400; i++) console.log('line ' + i); console.log('ready'); setInterval(() => {}, 1000);`, project.dir);
    const instance = await runtime.start((await create(chatty)).id);
    await waitForLine(runtime, instance.id, (l) => l.text === 'ready');
    const files = readdirSync(path.join(project.stateDir, 'logs', 'demo')).filter((f) => f.startsWith(instance.id));
    expect(files.sort()).toEqual([`${instance.id}.log`, `${instance.id}.log.1`, `${instance.id}.log.2`]);
    const lines = (await collect(runtime.logs(instance.id, { follow: false }))).map((l) => l.text);
    expect(lines[lines.length - 1]).toBe('ready');
    const numbers = lines.slice(0, -1).map((l) => Number(l.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => 399 - (numbers.length - 1) + i));
    expect((await collect(runtime.logs(instance.id, { follow: false, tail: 3 }))).map((l) => l.text)).toEqual(['line 398', 'line 399', 'ready']);
  });

  it('gives the rest of a replica\'s group the grace period after its leader stops', async () => {
    const script = `require('child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => setTimeout(() => { console.log('child done'); process.exit(0); }, 200)); console.log('child ready'); setInterval(() => {}, 1000)"], { stdio: 'inherit' });`
      + ` process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
    const instance = await runtime.start((await create(nodeService('shell-like', script, project.dir))).id);
    await waitForLine(runtime, instance.id, (l) => l.text === 'child ready');
    expect(await runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 5000 })).toMatchObject({ code: 0 });
    expect((await collect(runtime.logs(instance.id, { follow: false }))).map((l) => l.text)).toContain('child done');
  });

  it('kills what is left of a replica when its leader exits on its own, as a container does', async () => {
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('child ' + c.pid); setTimeout(() => process.exit(1), 100);`;
    const instance = await runtime.start((await create(nodeService('crasher', script, project.dir))).id);
    const child = Number((await waitForLine(runtime, instance.id, (l) => l.text.startsWith('child '))).text.split(' ')[1]);
    await collect(runtime.logs(instance.id, { follow: true, signal: AbortSignal.timeout(10_000) }));
    expect((await runtime.list(stackName('demo')))[0]).toMatchObject({ state: 'exited', exit: { code: 1 } });
    expect(await waitFor(() => !isProcessAlive(child), { timeoutMs: 5000 })).toBe(true);
  });

  it('truncates long exec output', async () => {
    const instance = await runtime.start((await create(nodeService('idle', WORKLOADS.idle, project.dir))).id);
    const result = await runtime.exec(instance.id, { kind: 'exec', argv: [process.execPath, '-e', "process.stdout.write('x'.repeat(100000))"] }, { timeoutMs: 10_000 });
    expect(result.exitCode).toBe(0);
    expect(result.output.length).toBeLessThan(EXEC_OUTPUT_LIMIT + 100);
    expect(result.output).toMatch(/truncated\)$/);
    const missing = await runtime.exec(instance.id, { kind: 'exec', argv: ['no-such-program-here'] }, { timeoutMs: 10_000 });
    expect(missing).toMatchObject({ exitCode: 127, timedOut: false });
  });

  it.skipIf(process.getuid?.() !== 0)('runs a replica as the service\'s user when berth is root', async () => {
    const service = nodeService('nobody', WORKLOADS.idle, project.dir, { user: 'nobody' });
    const instance = await runtime.start((await create(service)).id);
    const id = await runtime.exec(instance.id, { kind: 'shell', command: 'id -u; echo $USER' }, { timeoutMs: 10_000 });
    expect(id.output.trim().split('\n')).toEqual(['65534', 'nobody']);
  });
});
