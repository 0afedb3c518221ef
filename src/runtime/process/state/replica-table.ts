import { BerthError } from '../../../errors.js';
import type { InstanceId, StackName } from '../../../model/ids.js';
import type { InstanceRecord } from './instance-record.js';
import { InstanceStore } from './instance-store.js';

/**
 * The runtime's replica records in memory, loaded from the store on first use and written back after every
 * change. Lookups of unknown ids fail with RUNTIME_UNKNOWN_INSTANCE.
 */
export class ReplicaTable {
  private records: Map<InstanceId, InstanceRecord> | undefined;
  private readonly store: InstanceStore;
  /** Set once the runtime closed: a closed runtime no longer writes (a successor may own the file). */
  frozen = false;

  constructor(file: string) {
    this.store = new InstanceStore(file);
  }

  /** Loads the records; `onLoad` sees them once, before any other use. */
  load(onLoad: (records: InstanceRecord[]) => void): void {
    if (this.records) return;
    const records = this.store.load();
    this.records = new Map(records.map((r) => [r.id, r]));
    onLoad(records);
  }

  all(): InstanceRecord[] {
    return [...this.map().values()];
  }

  ofStack(stack: StackName | undefined): InstanceRecord[] {
    return this.all().filter((r) => stack === undefined || r.stack === stack);
  }

  ofService(stack: string, service: string): InstanceRecord[] {
    return this.all().filter((r) => r.stack === stack && r.service === service);
  }

  find(id: InstanceId): InstanceRecord | undefined {
    return this.map().get(id);
  }

  get(id: InstanceId): InstanceRecord {
    const record = this.find(id);
    if (!record) {
      throw new BerthError('RUNTIME_UNKNOWN_INSTANCE', `no replica ${id}`, { hint: 'list the replicas with `berth ps`; it may have been removed' });
    }
    return record;
  }

  put(record: InstanceRecord): void {
    this.map().set(record.id, record);
    this.save();
  }

  delete(id: InstanceId): void {
    if (this.map().delete(id)) this.save();
  }

  private save(): void {
    if (!this.frozen) this.store.save(this.all());
  }

  private map(): Map<InstanceId, InstanceRecord> {
    if (!this.records) throw new Error('ReplicaTable used before load()');
    return this.records;
  }
}
