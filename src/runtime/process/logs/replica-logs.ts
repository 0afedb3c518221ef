import type { InstanceId } from '../../../model/ids.js';
import type { LogLine, LogOptions } from '../../runtime.js';
import type { InstanceRecord } from '../state/instance-record.js';
import { readLog } from './log-reader.js';
import { LogWriter } from './log-writer.js';

export interface ReplicaLogsOptions {
  readonly maxBytes?: number;
  readonly maxFiles?: number;
}

/**
 * The log files of the replicas: one writer per replica (kept across its restarts), and followers woken as soon
 * as a line is written or the replica's state changes (`wake`).
 */
export class ReplicaLogs {
  private readonly writers = new Map<InstanceId, LogWriter>();
  private readonly listeners = new Map<InstanceId, Set<() => void>>();

  constructor(private readonly options: ReplicaLogsOptions = {}) {}

  writer(record: InstanceRecord): LogWriter {
    let writer = this.writers.get(record.id);
    if (!writer) {
      writer = this.newWriter(record);
      this.writers.set(record.id, writer);
    }
    return writer;
  }

  /** Closes a replica's log file (it is reopened if the replica writes again). */
  close(id: InstanceId): void {
    this.writers.get(id)?.close();
  }

  /** Deletes a replica's log files. */
  delete(record: InstanceRecord): void {
    (this.writers.get(record.id) ?? this.newWriter(record)).delete();
    this.writers.delete(record.id);
    this.wake(record.id);
  }

  /**
   * Reads a replica's log as LogLines; `finished` says when a follower has read all there will be.
   */
  async *read(record: InstanceRecord, options: LogOptions, finished: () => boolean): AsyncGenerator<LogLine> {
    const records = readLog({
      file: record.logFile, follow: options.follow, ...(this.options.maxFiles ? { maxFiles: this.options.maxFiles } : {}),
      ...(options.since === undefined ? {} : { since: options.since }), ...(options.tail === undefined ? {} : { tail: options.tail }),
      ...(options.signal ? { signal: options.signal } : {}),
      subscribe: (wake) => this.subscribe(record.id, wake), finished,
    });
    for await (const line of records) {
      yield { instance: record.id, service: record.service, replica: record.replica, stream: line.s === 'o' ? 'stdout' : 'stderr', time: line.t, text: line.m };
    }
  }

  /** Wakes the followers of a replica (new output, or a change that may end their follow). */
  wake(id: InstanceId): void {
    for (const wake of this.listeners.get(id) ?? []) wake();
  }

  private newWriter(record: InstanceRecord): LogWriter {
    return new LogWriter({
      file: record.logFile, onAppend: () => this.wake(record.id),
      ...(this.options.maxBytes ? { maxBytes: this.options.maxBytes } : {}), ...(this.options.maxFiles ? { maxFiles: this.options.maxFiles } : {}),
    });
  }

  private subscribe(id: InstanceId, wake: () => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    this.listeners.set(id, set);
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.listeners.delete(id);
    };
  }
}
