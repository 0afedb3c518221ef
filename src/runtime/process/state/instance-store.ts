import { readFileSync } from 'node:fs';
import { writeFileDurably } from '../../../state/durable-file.js';
import { BerthError } from '../../../errors.js';
import type { InstanceRecord } from './instance-record.js';

const VERSION = 1;

/**
 * The durable list of replicas: one JSON file, replaced atomically on every change (write a temp file, fsync,
 * rename over the old one, fsync the folder), so a crash leaves either the old or the new list, never half.
 * One writer per file: two live runtimes on one state folder would overwrite each other's changes.
 */
export class InstanceStore {

  constructor(readonly file: string) {}

  /** The recorded replicas; none when the file does not exist yet. RUNTIME_STATE when it cannot be read. */
  load(): InstanceRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.unreadable(String(error), error);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.unreadable('it is not valid JSON', error);
    }
    if (!isStateFile(value)) throw this.unreadable(`it is not a version ${VERSION} replica list`);
    return value.instances.filter(isRecord);
  }

  save(records: readonly InstanceRecord[]): void {
    writeFileDurably(this.file, `${JSON.stringify({ version: VERSION, instances: records }, null, 1)}\n`);
  }

  private unreadable(why: string, cause?: unknown): BerthError {
    return new BerthError('RUNTIME_STATE', `cannot read the replica list ${this.file}: ${why}`, {
      hint: 'stop any replica processes left running by hand, then delete the file; berth starts with an empty list',
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function isStateFile(value: unknown): value is { version: number; instances: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.version === VERSION && Array.isArray(v.instances);
}

/** Enough shape checking to use a record safely; anything else in it was written by this code. */
function isRecord(value: unknown): value is InstanceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.stack === 'string' && typeof r.service === 'string'
    && typeof r.replica === 'number' && (r.state === 'created' || r.state === 'running' || r.state === 'exited')
    && Array.isArray(r.ports) && typeof r.logFile === 'string' && typeof r.spec === 'object' && r.spec !== null;
}
