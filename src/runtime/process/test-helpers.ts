import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StackName } from '../../model/ids.js';
import { stackName } from '../../model/ids.js';
import type { Service } from '../../model/stack.js';
import { conformanceService, type ConformanceWorkload } from '../conformance.js';
import type { InstanceSpec } from '../runtime.js';
import { delay, groupMembers } from './spawn/process-group.js';

/** A temporary project folder (searchable by other users, as postgres needs) with a `.berth` state folder path. */
export function tempProject(prefix = 'berth-process-'): { dir: string; stateDir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { dir, stateDir: path.join(dir, '.berth'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function specOf(options: { stack?: StackName | string; projectDir: string; service: Service; replica?: number }): InstanceSpec {
  const replica = options.replica ?? 1;
  return {
    stack: stackName(String(options.stack ?? 'demo')),
    projectDir: options.projectDir,
    service: options.service,
    replica,
    env: { BERTH_SERVICE: options.service.name, BERTH_REPLICA: String(replica) },
  };
}

/** A service that runs `node -e script` through x-berth.process.command in `cwd`. */
export function nodeService(name: string, script: string, cwd: string, overrides: Partial<Service> = {}): Service {
  return conformanceService(name, { berth: { process: { command: [process.execPath, '-e', script], cwd }, routes: [], other: {} }, ...overrides });
}

/** Pids still alive in the process groups of the given leaders (zombies excluded). */
export function leftovers(pgids: readonly number[]): number[] {
  return pgids.flatMap((pgid) => groupMembers(pgid));
}

/** Retries `attempt` until `ok` accepts its value (→ that value) or the deadline passes (→ the last value). */
export async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (ok(value) || Date.now() >= deadline) return value;
    await delay(50);
  }
}

/** The spec of one replica running a conformance workload (`node -e <script>`) in `dir`. */
export function workloadSpec(stack: StackName, dir: string, workload: ConformanceWorkload): InstanceSpec {
  return specOf({
    stack, projectDir: dir, replica: workload.replica ?? 1,
    service: nodeService(workload.service, workload.script, dir, {
      environment: workload.environment ?? {}, expose: (workload.ports ?? []).map(String),
    }),
  });
}
