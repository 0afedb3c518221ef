import { expect } from 'vitest';
import { stackName } from '../model/ids.js';
import { runtimeConformance } from '../runtime/conformance.js';
import type { Runtime } from '../runtime/runtime.js';
import { isProcessAlive } from '../runtime/process/spawn/process-group.js';
import { leftovers, workloadSpec } from '../runtime/process/test-helpers.js';
import { connectPlane } from './launch-plane.js';
import type { RemoteRuntime } from './remote-runtime.js';
import { startTestPlane } from './test-plane.js';

runtimeConformance('process, through the data plane', async () => {
  const plane = await startTestPlane();
  const stack = stackName('conformance');
  let runtime: RemoteRuntime = plane.client.runtime;
  return {
    get runtime(): Runtime {
      return runtime;
    },
    stack,
    workdir: plane.dir,
    node: process.execPath,
    specFor: (workload) => workloadSpec(stack, plane.dir, workload),
    // A new daemon: the old connection closes, a new one finds the same plane (and its replicas).
    reopen: async () => {
      await runtime.close();
      const client = await connectPlane(plane.stateDir);
      if (!client) throw new Error('the plane did not answer after the client closed');
      expect(client.info.pid).toBe(plane.pid);
      plane.client = client;
      runtime = client.runtime;
      return runtime;
    },
    processAlive: (pid) => isProcessAlive(pid),
    cleanup: async () => {
      const pgids = [...await runtime.list(stack), ...await runtime.list(stackName('conformance-other'))].flatMap((i) => (i.pid ? [i.pid] : []));
      await plane.stop();
      expect(leftovers(pgids)).toEqual([]);
    },
  };
});
