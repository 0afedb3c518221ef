import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackName } from '../../src/model/ids.js';
import { conformanceService, runtimeConformance, WORKLOADS } from '../../src/runtime/conformance.js';
import type { InstanceSpec } from '../../src/runtime/runtime.js';
import { MemoryRuntime, type ReplicaScript } from './memory-runtime.js';

/**
 * The memory runtime runs no processes: it plays each conformance workload from a script of what the real one
 * prints and does. The grandchild and reopen cases skip themselves (no processes, no durable state).
 */
function playWorkload(spec: InstanceSpec): ReplicaScript {
  const script = spec.service.command?.[2] ?? '';
  const ticks = Array.from({ length: 10 }, (_, i) => ({ afterMs: 30 * (i + 1), text: `tick ${i + 1}` }));
  const scripts: [string, ReplicaScript][] = [
    [WORKLOADS.idle, { stdout: ['ready'] }],
    [WORKLOADS.graceful('SIGTERM'), { stdout: ['ready'], onSignal: 'exit0', signals: ['SIGTERM'], signalLine: 'got SIGTERM' }],
    [WORKLOADS.graceful('SIGINT'), { stdout: ['ready'], onSignal: 'exit0', signals: ['SIGINT'], signalLine: 'got SIGINT' }],
    [WORKLOADS.stubborn, { stdout: ['ready'], onSignal: 'ignore', signals: ['SIGTERM'], signalLine: 'ignoring SIGTERM' }],
    [WORKLOADS.exitsWith(3), { stdout: ['ready'], exitAfterMs: 150, exitCode: 3 }],
    [WORKLOADS.greeter, { stdout: ['listening'], listen: true }],
    [WORKLOADS.talker, { stdout: ['out 1', 'out 2', 'out 3', 'out 4', 'out 5'], stderr: ['err 1'], timeline: [{ afterMs: 1, text: 'done' }] }],
    [WORKLOADS.ticker, { timeline: ticks, exitAfterMs: 320, exitCode: 0 }],
    [WORKLOADS.partial, { stdout: ['no newline at the end'], exitAfterMs: 50, exitCode: 0 }],
  ];
  return scripts.find(([source]) => source === script)?.[1] ?? { stdout: ['ready'] };
}

runtimeConformance('memory', async () => {
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'berth-memory-'));
  const stack = stackName('conformance');
  const runtime = new MemoryRuntime({ behaviorFor: playWorkload });
  return {
    runtime,
    stack,
    workdir,
    node: process.execPath,
    specFor: (workload) => ({
      stack,
      projectDir: workdir,
      replica: workload.replica ?? 1,
      env: {},
      service: conformanceService(workload.service, {
        command: [process.execPath, '-e', workload.script],
        environment: workload.environment ?? {},
        expose: (workload.ports ?? []).map(String),
      }),
    }),
    cleanup: async () => {
      await runtime.close();
      rmSync(workdir, { recursive: true, force: true });
    },
  };
});
