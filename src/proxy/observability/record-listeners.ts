/*
 * The subscribers to finished requests of an edge proxy (a deploy's watch window): an observer beside the access
 * log and the metrics, that does nothing while nobody listens.
 */
import type { Logger } from '../../log/logger.js';
import type { ProxyObserver, RequestRecord } from './observers.js';

export type RecordListener = (record: RequestRecord) => void;

/** Tells each listener about every record, in subscription order; a listener that throws is logged, not removed. */
export class RecordListeners implements ProxyObserver {
  /** Replaced, never mutated: a listener that unsubscribes while records are delivered does not disturb the loop. */
  private listeners: readonly RecordListener[] = [];

  constructor(private readonly log: Logger) {}

  /** Subscribes `listener`; returns the function that unsubscribes it (calling it twice is harmless). */
  add(listener: RecordListener): () => void {
    const entry: RecordListener = (record) => listener(record);
    this.listeners = [...this.listeners, entry];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== entry);
    };
  }

  onRequestDone(record: RequestRecord): void {
    const listeners = this.listeners;
    if (listeners.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(record);
      } catch (error) {
        this.log.warn('request record listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}
