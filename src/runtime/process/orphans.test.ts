import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackName } from '../../model/ids.js';
import { WORKLOADS, waitForLine } from '../conformance.js';
import type { Instance } from '../runtime.js';
import { ProcessRuntime } from './process-runtime.js';
import { isProcessAlive, signalGroup, waitFor } from './spawn/process-group.js';
import { leftovers, nodeService, specOf, tempProject } from './test-helpers.js';

const demo = stackName('demo');
let project: ReturnType<typeof tempProject>;
let runtime: ProcessRuntime;
const pgids: number[] = [];

beforeEach(() => {
  project = tempProject();
  runtime = new ProcessRuntime({ stateDir: project.stateDir });
});
afterEach(async () => {
  for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
  await waitFor(() => leftovers(pgids).length === 0, { timeoutMs: 5000 });
  await runtime.close();
  project.remove();
  expect(leftovers(pgids.splice(0))).toEqual([]);
});

async function run(name: string, stack = demo): Promise<Instance> {
  const instance = await runtime.start((await runtime.create(specOf({ stack, projectDir: project.dir, service: nodeService(name, WORKLOADS.idle, project.dir) }))).id);
  pgids.push(instance.pid as number);
  await waitForLine(runtime, instance.id, (l) => l.text === 'ready');
  return instance;
}

/** As if berth died: the old runtime is closed (its replicas keep running) and a new one opens the state. */
async function restartBerth(): Promise<void> {
  await runtime.close();
  runtime = new ProcessRuntime({ stateDir: project.stateDir });
}

describe('replicas left by an earlier berth', () => {
  it('are listed as exited with an unknown status when their process is gone', async () => {
    const instance = await run('web');
    await restartBerth();
    signalGroup(instance.pid as number, 'SIGKILL');
    await waitFor(() => !isProcessAlive(instance.pid as number), { timeoutMs: 5000 });
    expect((await runtime.list(demo))[0]).toMatchObject({ id: instance.id, state: 'exited', exit: { code: null, signal: null } });
  });

  it('are not ours any more when their pid belongs to another process, which is left alone', async () => {
    const instance = await run('web');
    await restartBerth();
    const file = path.join(project.stateDir, 'runtime', 'process.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { instances: { process: { startTicks: number } }[] };
    (state.instances[0] as { process: { startTicks: number } }).process.startTicks += 1;
    writeFileSync(file, JSON.stringify(state));
    expect((await runtime.list(demo))[0]).toMatchObject({ state: 'exited', exit: { code: null } });
    expect(await runtime.stopOrphans()).toBe(0);
    expect(isProcessAlive(instance.pid as number)).toBe(true);
  });

  it('are noticed when they exit later, with an event', async () => {
    const instance = await run('web');
    await restartBerth();
    const abort = new AbortController();
    const events = runtime.events(abort.signal)[Symbol.asyncIterator]();
    expect((await runtime.list(demo))[0]?.state).toBe('running');
    signalGroup(instance.pid as number, 'SIGKILL');
    expect((await events.next()).value).toMatchObject({ type: 'exited', id: instance.id, exit: { code: null, signal: null } });
    abort.abort();
  });

  it('are all stopped and forgotten by stopOrphans, per stack or all', async () => {
    await run('web');
    await run('worker');
    const other = await run('web', stackName('other'));
    await restartBerth();
    expect(await runtime.stopOrphans(demo)).toBe(2);
    expect(await runtime.list(demo)).toEqual([]);
    expect((await runtime.list(stackName('other'))).map((i) => i.id)).toEqual([other.id]);
    expect(await runtime.stopOrphans()).toBe(1);
    expect(leftovers(pgids)).toEqual([]);
  });

  it('cannot be read from a damaged state file: RUNTIME_STATE', async () => {
    await run('web');
    await restartBerth();
    writeFileSync(path.join(project.stateDir, 'runtime', 'process.json'), '{"version":1,"instances":[{');
    await expect(runtime.list(demo)).rejects.toMatchObject({ code: 'RUNTIME_STATE' });
  });
});
