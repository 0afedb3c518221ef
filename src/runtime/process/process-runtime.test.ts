import { expect } from 'vitest';
import { stackName } from '../../model/ids.js';
import { runtimeConformance } from '../conformance.js';
import type { Runtime } from '../runtime.js';
import { ProcessRuntime } from './process-runtime.js';
import { isProcessAlive } from './spawn/process-group.js';
import { leftovers, workloadSpec, tempProject } from './test-helpers.js';

runtimeConformance('process', async () => {
  const project = tempProject();
  const stack = stackName('conformance');
  let runtime = new ProcessRuntime({ stateDir: project.stateDir });
  const pgids = new Set<number>();
  return {
    get runtime(): Runtime {
      return runtime;
    },
    stack,
    workdir: project.dir,
    node: process.execPath,
    specFor: (workload) => workloadSpec(stack, project.dir, workload),
    reopen: async () => {
      await runtime.close();
      runtime = new ProcessRuntime({ stateDir: project.stateDir });
      return runtime;
    },
    processAlive: (pid) => isProcessAlive(pid),
    cleanup: async () => {
      for (const instance of [...await runtime.list(stack), ...await runtime.list(stackName('conformance-other'))]) {
        if (instance.pid) pgids.add(instance.pid);
      }
      await runtime.stopOrphans();
      await runtime.close();
      project.remove();
      expect(leftovers([...pgids])).toEqual([]);
    },
  };
});
