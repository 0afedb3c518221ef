import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { StackName } from '../../model/ids.js';
import { stackName } from '../../model/ids.js';
import type { ConformanceWorkload } from '../conformance.js';
import { conformanceService, runtimeConformance } from '../conformance.js';
import type { InstanceSpec, Runtime } from '../runtime.js';
import { DockerRuntime } from './docker-runtime.js';
import { removeStacks, TEST_IMAGE, testEngine } from './docker-test-engine.js';

// Containers on vfs take seconds to create and start.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const WORKDIR = '/app';
const engine = await testEngine();

/** A fresh stack name per harness: containers of a failed run never collide with the next one's names. */
function freshStack(): StackName {
  return stackName(`berth-conf-${randomBytes(3).toString('hex')}`);
}

/** One replica running `node -e script` in the test image; PORT is the first declared port, as an app would read it. */
function nodeSpec(stack: StackName, node: string, workload: ConformanceWorkload): InstanceSpec {
  const replica = workload.replica ?? 1;
  const port = workload.ports?.[0];
  return {
    stack, projectDir: '/nonexistent', replica,
    env: { BERTH_SERVICE: workload.service, BERTH_REPLICA: String(replica) },
    service: conformanceService(workload.service, {
      image: TEST_IMAGE, command: [node, '-e', workload.script], workingDir: WORKDIR,
      environment: { ...workload.environment, ...(port === undefined ? {} : { PORT: String(port) }) },
      expose: (workload.ports ?? []).map(String),
    }),
  };
}

if (!engine.ok) {
  describe('Runtime conformance: docker', () => {
    it('needs a Docker daemon and the test image', (ctx) => {
      if (process.env['BERTH_REQUIRE_DOCKER'] === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${engine.reason}`);
      ctx.skip(engine.reason);
    });
  });
} else {
  const { docker, node } = engine;
  runtimeConformance('docker', async () => {
    const stack = freshStack();
    let runtime: Runtime = new DockerRuntime();
    return {
      get runtime(): Runtime {
        return runtime;
      },
      stack,
      workdir: WORKDIR,
      node,
      specFor: (workload) => nodeSpec(stack, node, workload),
      reopen: async () => {
        await runtime.close();
        runtime = new DockerRuntime();
        return runtime;
      },
      // processAlive is left out on purpose: pids a workload prints are in the container's pid namespace.
      cleanup: async () => {
        await runtime.close();
        expect(await removeStacks(docker, [stack, `${stack}-other`])).toBe(0);
      },
    };
  });
}
