import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Longest unix socket path Linux accepts (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Where berth keeps a project's durable state: `<projectDir>/.berth/` — the daemon's socket, pid file and log, the
 * runtime's replica records and log files, and named volumes as folders. One folder per project, so that two projects
 * never share state, and deleting it (after `berth down`) forgets everything.
 */
export class StateDir {
  constructor(readonly root: string) {}

  static forProject(projectDir: string): StateDir {
    return new StateDir(path.join(projectDir, '.berth'));
  }

  /** Creates the folder (mode 0700: it holds logs and volumes that may contain secrets). */
  ensure(): this {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    return this;
  }

  get socket(): string {
    const preferred = path.join(this.root, 'daemon.sock');
    if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
    const hash = createHash('sha256').update(this.root).digest('hex').slice(0, 16);
    return path.join(os.tmpdir(), `berth-${hash}.sock`);
  }

  get daemonFile(): string {
    return path.join(this.root, 'daemon.json');
  }

  get daemonLog(): string {
    return path.join(this.root, 'daemon.log');
  }

  get volumes(): string {
    return path.join(this.root, 'volumes');
  }
}
