import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instanceId, stackName } from '../../model/ids.js';
import type { Service } from '../../model/stack.js';
import { conformanceService } from '../conformance.js';
import type { InstanceSpec } from '../runtime.js';
import { DockerRuntime } from './docker-runtime.js';
import { removeStacks, TEST_IMAGE, testEngine } from './docker-test-engine.js';
import { ENGINE_API_VERSION } from './engine-client.js';
import { EXEC_OUTPUT_LIMIT } from './exec-command.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const engine = await testEngine();

describe('DockerRuntime without a daemon', () => {
  const runtime = new DockerRuntime({ docker: new Docker({ socketPath: '/tmp/berth-no-such-docker.sock', version: ENGINE_API_VERSION }) });
  const spec: InstanceSpec = { stack: stackName('s'), projectDir: '/x', replica: 1, env: {}, service: conformanceService('web', { image: TEST_IMAGE }) };

  it('says the daemon cannot be reached, where berth looked and how to start it', async () => {
    await expect(runtime.list(stackName('s'))).rejects.toMatchObject({
      code: 'RUNTIME_STATE', message: expect.stringContaining('the Docker daemon at unix:///tmp/berth-no-such-docker.sock cannot be reached'),
      hint: expect.stringMatching(/dockerd.*systemctl start docker/),
    });
    await expect(runtime.create(spec)).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED' });
  });
});

describe('DockerRuntime against dockerd', () => {
  let stack = stackName('unset');
  let runtime: DockerRuntime;
  const docker = new Docker({ version: ENGINE_API_VERSION });
  const specOf = (overrides: Partial<Service> = {}, replica = 1): InstanceSpec => ({
    stack, projectDir: '/nonexistent', replica, env: { BERTH_REPLICA: String(replica) },
    service: conformanceService('web', { image: TEST_IMAGE, command: [engine.ok ? engine.node : 'node', '-e', 'setInterval(() => {}, 1000)'], ...overrides }),
  });

  beforeEach((ctx) => {
    if (!engine.ok && process.env['BERTH_REQUIRE_DOCKER'] === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${engine.reason}`);
    if (!engine.ok) ctx.skip(engine.reason);
    stack = stackName(`berth-eng-${randomBytes(3).toString('hex')}`);
    runtime = new DockerRuntime();
  });

  afterEach(async () => {
    if (!engine.ok) return;
    await runtime.close();
    expect(await removeStacks(docker, [stack])).toBe(0);
  });

  it('names containers compose-style, labels them, and gives a restarted berth their specs back', async () => {
    const spec = specOf({}, 2);
    const created = await runtime.create(spec);
    const info = await docker.getContainer(created.id).inspect();
    expect(info.Name).toBe(`/${stack}-web-2`);
    expect(info.Config.Labels).toMatchObject({ 'com.docker.compose.project': stack, 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '2' });
    expect(info.HostConfig.RestartPolicy).toMatchObject({ Name: 'no' });
    await runtime.close();
    runtime = new DockerRuntime();
    const [found] = await runtime.list(stack);
    expect(found).toMatchObject({ id: created.id, state: 'created', service: 'web', replica: 2 });
    expect(found?.spec).toEqual(spec);
  });

  it('names the missing image and says berth does not pull it', async () => {
    const image = 'berth-test/no-such-image:0';
    await expect(runtime.create(specOf({ image }))).rejects.toMatchObject({
      code: 'RUNTIME_START_FAILED', message: expect.stringContaining(image), hint: expect.stringMatching(/does not pull.*docker load/),
    });
  });

  it('refuses a second container with the same name, saying what to do', async () => {
    await runtime.create(specOf());
    await expect(runtime.create(specOf())).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED', message: expect.stringContaining('already in use') });
  });

  it('reports a program that cannot be started: RUNTIME_START_FAILED without init, exit 127 with it', async () => {
    const bare = await runtime.create(specOf({ command: ['/no/such/program'], other: { init: false } }));
    await expect(runtime.start(bare.id)).rejects.toMatchObject({ code: 'RUNTIME_START_FAILED', message: expect.stringContaining('/no/such/program') });
    // With docker-init as PID 1 the container starts; init then fails to run the program and exits 127.
    const withInit = await runtime.create(specOf({ command: ['/no/such/program'] }, 2));
    const abort = new AbortController();
    const events = runtime.events(abort.signal)[Symbol.asyncIterator]();
    await runtime.start(withInit.id);
    const deadline = setTimeout(() => abort.abort(), 30_000);
    try {
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (next.value.id === withInit.id && next.value.type === 'exited') {
          expect(next.value.exit).toMatchObject({ code: 127, signal: null });
          break;
        }
      }
    } finally {
      clearTimeout(deadline);
      abort.abort();
    }
    expect((await runtime.list(stack)).find((i) => i.id === withInit.id)).toMatchObject({ state: 'exited', exit: { code: 127 } });
  });

  it('does not touch containers berth did not create', async () => {
    const other = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ['true'], Labels: { 'berth-test-foreign': stack } });
    try {
      await expect(runtime.start(instanceId(other.id))).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
      await expect(runtime.remove(instanceId(other.id))).rejects.toMatchObject({ code: 'RUNTIME_UNKNOWN_INSTANCE' });
    } finally {
      await other.remove({ force: true });
    }
  });

  it('truncates long exec output to a few KiB', async () => {
    const started = await runtime.start((await runtime.create(specOf())).id);
    const node = engine.ok ? engine.node : 'node';
    const result = await runtime.exec(started.id, { kind: 'exec', argv: [node, '-e', 'process.stdout.write("x".repeat(20000))'] }, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.output.startsWith('x'.repeat(EXEC_OUTPUT_LIMIT))).toBe(true);
    expect(result.output).toContain('truncated');
    expect(result.output.length).toBeLessThan(EXEC_OUTPUT_LIMIT + 100);
    await runtime.stop(started.id, { signal: 'SIGKILL', graceMs: 0 });
  });
});
