import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { stackName } from '../model/ids.js';
import { collect, waitForLine } from '../runtime/conformance.js';
import type { Instance } from '../runtime/runtime.js';
import { isProcessAlive } from '../runtime/process/spawn/process-group.js';
import { eventually, leftovers, nodeService, specOf, tempProject } from '../runtime/process/test-helpers.js';
import { StateDir } from '../state/state-dir.js';
import { connectPlane, startPlane } from './launch-plane.js';
import type { PlaneClient } from './plane-client.js';
import { PlanePaths } from './plane-paths.js';
import { startTestPlane, type TestPlane } from './test-plane.js';

const TSX = import.meta.resolve('tsx');
const LAUNCHER = new URL('./launch-plane.ts', import.meta.url).href;
const STATE_DIR = new URL('../state/state-dir.ts', import.meta.url).href;

const GREETER = `require('net').createServer((s) => { console.log('served'); s.end('hello ' + process.env.BERTH_REPLICA); }).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));`;

let plane: TestPlane | undefined;
const pgids: number[] = [];

afterEach(async () => {
  await plane?.stop();
  plane = undefined;
  expect(leftovers(pgids.splice(0))).toEqual([]);
});

async function up(client: PlaneClient, dir: string, replica = 1): Promise<Instance> {
  const service = nodeService('api', GREETER, dir, { expose: ['8000'] });
  const instance = await client.runtime.start((await client.runtime.create(specOf({ projectDir: dir, service, replica }))).id);
  if (instance.pid) pgids.push(instance.pid);
  await waitForLine(client.runtime, instance.id, (l) => l.text === 'listening');
  return instance;
}

function ask(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

async function reconnect(test: TestPlane): Promise<PlaneClient> {
  const client = await connectPlane(test.stateDir);
  if (!client) throw new Error('no plane answers');
  test.client = client;
  return client;
}

describe('data plane process', () => {
  it('writes plane.json and a 0600 socket once listening, and a second start finds the same plane', async () => {
    plane = await startTestPlane();
    const paths = new PlanePaths(plane.stateDir.root);
    expect(JSON.parse(readFileSync(paths.infoFile, 'utf8'))).toMatchObject({ pid: plane.pid, socket: paths.socket });
    expect(statSync(paths.infoFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.socket).mode & 0o777).toBe(0o600);
    expect(plane.pid).not.toBe(process.pid);
    const again = await startPlane(plane.stateDir, silentLogger);
    expect(again.info.pid).toBe(plane.pid);
    await again.close();
  });

  it('outlives the daemon that started it: a SIGKILLed starter leaves the plane and its replicas running', async () => {
    const project = tempProject('berth-plane-starter-');
    const stateDir = new StateDir(project.stateDir);
    let planePid = 0;
    // Whatever happens below, the plane this test caused is stopped and the project removed.
    plane = { dir: project.dir, stateDir, client: undefined as unknown as PlaneClient, get pid() { return planePid; }, stop: async () => {
      const left = await connectPlane(stateDir);
      await left?.runtime.stopOrphans();
      await left?.shutdown();
      if (planePid > 0) await eventually(async () => isProcessAlive(planePid), (alive) => !alive, 10_000);
      project.remove();
    } };
    const script = [
      `const { startPlane } = await import(${JSON.stringify(LAUNCHER)});`,
      `const { StateDir } = await import(${JSON.stringify(STATE_DIR)});`,
      `const client = await startPlane(new StateDir(${JSON.stringify(project.stateDir)}), { info() {}, warn() {}, error() {}, child() { return this; } });`,
      `console.log('plane ' + client.info.pid);`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const starter = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => starter.once('exit', resolve));
    planePid = await new Promise<number>((resolve, reject) => {
      let out = '';
      starter.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /plane (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      starter.once('exit', (code) => reject(new Error(`the starter exited with ${code}`)));
    });
    starter.kill('SIGKILL');
    await exited;
    const client = await connectPlane(stateDir);
    expect(client?.info.pid).toBe(planePid);
    // Its own session (setsid): a signal to the starter's process group or terminal does not reach it.
    expect(readFileSync(`/proc/${planePid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]).toBe(String(planePid));
    const instance = await up(client as PlaneClient, project.dir);
    expect(await ask(8000, await (client as PlaneClient).runtime.serviceAddress('demo', instance.service))).toBe('hello 1');
    await (client as PlaneClient).runtime.stopOrphans();
  });

  it('keeps a replica running and served through its service address while no client is connected', async () => {
    plane = await startTestPlane();
    const instance = await up(plane.client, plane.dir);
    const address = await plane.client.runtime.serviceAddress('demo', 'api');
    expect(await ask(8000, address)).toBe('hello 1');
    await plane.client.close();
    expect(plane.client.connected).toBe(false);
    // Served by the plane's forwarder, with the replica's output still drained into its log while nobody listens.
    expect(await ask(8000, address)).toBe('hello 1');
    expect(await ask(8000, address)).toBe('hello 1');
    const client = await reconnect(plane);
    expect(client.info.pid).toBe(plane.pid);
    expect((await client.runtime.list(stackName('demo'))).find((i) => i.id === instance.id)).toMatchObject({ state: 'running', pid: instance.pid });
    const lines = await collect(client.runtime.logs(instance.id, { follow: false }));
    expect(lines.filter((l) => l.text === 'served')).toHaveLength(3);
    expect(await client.runtime.stop(instance.id, { signal: 'SIGTERM', graceMs: 2000 })).toMatchObject({ signal: 'SIGTERM' });
    expect(isProcessAlive(instance.pid ?? 0)).toBe(false);
  });

  it('rebuilds BerthErrors on the client with their code and hint', async () => {
    plane = await startTestPlane();
    const instance = await up(plane.client, plane.dir);
    await expect(plane.client.runtime.remove(instance.id)).rejects.toMatchObject({ name: 'BerthError', code: 'RUNTIME_INSTANCE_STATE', hint: 'stop it first' });
  });

  it('cancels a call in the plane when its signal aborts: an exec command is killed there', async () => {
    plane = await startTestPlane();
    const instance = await up(plane.client, plane.dir);
    const pidFile = path.join(plane.dir, 'exec.pid');
    const abort = new AbortController();
    const script = "require('fs').writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)";
    const running = plane.client.runtime.exec(instance.id, { kind: 'exec', argv: [process.execPath, '-e', script, pidFile] }, { timeoutMs: 60_000, signal: abort.signal });
    const execPid = Number(await eventually(async () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : ''), (text) => text.length > 0, 10_000));
    expect(isProcessAlive(execPid)).toBe(true);
    abort.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(await eventually(async () => isProcessAlive(execPid), (alive) => !alive, 10_000)).toBe(false);
    expect((await plane.client.ping()).pid).toBe(plane.pid);
  });

  it('serves two clients at once, and keeps serving one when the other leaves', async () => {
    plane = await startTestPlane();
    const second = await reconnect({ ...plane });
    const instance = await up(plane.client, plane.dir);
    expect((await second.runtime.list(stackName('demo'))).map((i) => i.id)).toEqual([instance.id]);
    await second.close();
    expect((await plane.client.ping()).pid).toBe(plane.pid);
  });

  it('exits on shutdown, leaving no plane.json nor socket behind', async () => {
    plane = await startTestPlane();
    const paths = new PlanePaths(plane.stateDir.root);
    await plane.client.shutdown();
    expect(await eventually(async () => isProcessAlive(plane?.pid ?? 0), (alive) => !alive, 10_000)).toBe(false);
    expect(existsSync(paths.infoFile)).toBe(false);
    expect(existsSync(paths.socket)).toBe(false);
    expect(await connectPlane(plane.stateDir)).toBeUndefined();
  });

  it('shuts down on SIGTERM, and fails the client calls with DAEMON_UNREACHABLE', async () => {
    plane = await startTestPlane();
    process.kill(plane.pid, 'SIGTERM');
    expect(await eventually(async () => isProcessAlive(plane?.pid ?? 0), (alive) => !alive, 10_000)).toBe(false);
    expect(existsSync(new PlanePaths(plane.stateDir.root).infoFile)).toBe(false);
    await expect(plane.client.ping()).rejects.toMatchObject({ code: 'DAEMON_UNREACHABLE' });
  });

  it('fails to start with DAEMON_START naming its log when it cannot listen', async () => {
    const project = tempProject('berth-plane-blocked-');
    try {
      const stateDir = new StateDir(project.stateDir);
      mkdirSync(path.join(new PlanePaths(stateDir.root).socket, 'blocked'), { recursive: true });
      const failure = startPlane(stateDir, silentLogger);
      await expect(failure).rejects.toMatchObject({ code: 'DAEMON_START', message: 'the berth data plane exited with status 1 while starting' });
      await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining(path.join(stateDir.root, 'plane.log')) });
    } finally {
      project.remove();
    }
  });

  it('finds no plane where none was started', async () => {
    const project = tempProject('berth-plane-none-');
    try {
      expect(await connectPlane(new StateDir(project.stateDir))).toBeUndefined();
    } finally {
      project.remove();
    }
  });
});
