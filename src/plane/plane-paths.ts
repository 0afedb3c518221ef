import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** Longest unix socket path Linux accepts (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH = 107;

/** Where a project's data plane keeps its socket, pid file and log: beside the daemon's, in the state folder. */
export class PlanePaths {
  constructor(readonly root: string) {}

  /** `<stateDir>/plane.sock`, or a hashed path in the temp folder when that is too long for a unix socket. */
  get socket(): string {
    const preferred = path.join(this.root, 'plane.sock');
    if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
    const hash = createHash('sha256').update(this.root).digest('hex').slice(0, 16);
    return path.join(os.tmpdir(), `berth-plane-${hash}.sock`);
  }

  /** `plane.json`: {pid, startedAt, socket}, written once the plane listens, removed when it shuts down. */
  get infoFile(): string {
    return path.join(this.root, 'plane.json');
  }

  get log(): string {
    return path.join(this.root, 'plane.log');
  }
}

/** What plane.json holds. */
export interface PlaneInfo {
  readonly pid: number;
  readonly startedAt: number;
  readonly socket: string;
}

/** Parses plane.json's text; undefined when it is not a PlaneInfo. */
export function parsePlaneInfo(text: string): PlaneInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<PlaneInfo> | null;
    if (typeof value?.pid !== 'number' || typeof value.startedAt !== 'number' || typeof value.socket !== 'string') return undefined;
    return { pid: value.pid, startedAt: value.startedAt, socket: value.socket };
  } catch {
    return undefined;
  }
}
