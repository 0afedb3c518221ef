import { isProcessAlive } from '../runtime/process/spawn/process-group.js';
import { eventually, tempProject } from '../runtime/process/test-helpers.js';
import { StateDir } from '../state/state-dir.js';
import { silentLogger } from '../log/logger.js';
import { startPlane } from './launch-plane.js';
import type { PlaneClient } from './plane-client.js';

/** A temporary project with a data plane process started for it; `stop` stops its replicas and the plane. */
export interface TestPlane {
  readonly dir: string;
  readonly stateDir: StateDir;
  client: PlaneClient;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startTestPlane(prefix = 'berth-plane-'): Promise<TestPlane> {
  const project = tempProject(prefix);
  const stateDir = new StateDir(project.stateDir);
  const client = await startPlane(stateDir, silentLogger);
  const plane: TestPlane = {
    dir: project.dir, stateDir, client, pid: client.info.pid,
    stop: async () => {
      try {
        if (isProcessAlive(plane.pid)) {
          if (!plane.client.connected) plane.client = await startPlane(stateDir, silentLogger);
          await plane.client.runtime.stopOrphans();
          await plane.client.shutdown();
        }
      } finally {
        if (isProcessAlive(plane.pid)) process.kill(plane.pid, 'SIGKILL');
        await eventually(async () => isProcessAlive(plane.pid), (alive) => !alive, 10_000);
        project.remove();
      }
    },
  };
  return plane;
}
