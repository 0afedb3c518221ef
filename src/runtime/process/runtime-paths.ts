import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { InstanceId } from '../../model/ids.js';
import { instanceId } from '../../model/ids.js';
import type { InstanceSpec } from '../runtime.js';
import type { MountRoots } from './launch/mounts.js';

/** Longest unix socket path Linux accepts; a postgres socket is `<runDir>/.s.PGSQL.<port>`. */
const MAX_SOCKET_PATH = 107;
const SOCKET_NAME = '/.s.PGSQL.65535';

/**
 * Where the process runtime keeps things under the state folder:
 * `runtime/process.json` (the replica list), `logs/<stack>/<id>.log` (+ rotated `.1`, `.2`),
 * `volumes/<name>/` (named volumes), `volumes/_anonymous/<stack>_<service>_<replica>/` (anonymous volumes and
 * container paths under no mount, kept across re-creation as compose keeps anonymous volumes), and
 * `run/<id>/` (sockets and temporary files of one replica; under the temp folder when that path would be too
 * long for a unix socket).
 */
export class RuntimePaths {
  constructor(readonly stateDir: string) {}

  get stateFile(): string {
    return path.join(this.stateDir, 'runtime', 'process.json');
  }

  logFile(stack: string, id: InstanceId): string {
    return path.join(this.stateDir, 'logs', safeName(stack), `${id}.log`);
  }

  runDir(id: InstanceId): string {
    const preferred = path.join(this.stateDir, 'run', id);
    if (Buffer.byteLength(preferred + SOCKET_NAME) <= MAX_SOCKET_PATH) return preferred;
    return path.join(os.tmpdir(), `berth-run-${createHash('sha256').update(preferred).digest('hex').slice(0, 16)}`);
  }

  mountRoots(spec: InstanceSpec): MountRoots {
    const volumes = path.join(this.stateDir, 'volumes');
    return { volumes, anonymous: path.join(volumes, '_anonymous', safeName(`${spec.stack}_${spec.service.name}_${spec.replica}`)) };
  }

  newInstanceId(spec: InstanceSpec): InstanceId {
    return instanceId(`${safeName(spec.stack)}-${safeName(spec.service.name)}-${spec.replica}-${randomBytes(3).toString('hex')}`);
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
