import type { Clock } from '../health/clock.js';
import { HealthMonitor } from '../health/monitor.js';
import { probeForService } from '../health/probe-for-service.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ReplicaRecord } from './replica-record.js';
import type { ReplicaStore } from './replica-store.js';

export interface HealthWatchContext {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly store: ReplicaStore;
}

/**
 * Starts a HealthMonitor for a replica that just started, if its service has a probe; its changes feed the
 * replica's `health` (for `berth ps` and dependency gates) and a `health` event. Unhealthy is recorded, never acted
 * on: compose does not restart unhealthy containers either.
 */
export function watchHealth(record: ReplicaRecord, context: HealthWatchContext): void {
  unwatchHealth(record);
  const found = probeForService(record.spec.service, record.instance, context.runtime);
  record.hasProbe = found !== undefined;
  if (!found) return;
  record.health = 'starting';
  const monitor: HealthMonitor = new HealthMonitor({
    probe: found.probe,
    timing: found.timing,
    clock: context.clock,
    ...(record.runStartedAt === undefined ? {} : { startedAt: record.runStartedAt }),
    onChange: (state, result) => {
      if (record.monitor !== monitor) return;
      record.health = state;
      record.healthReason = result.ok ? undefined : result.reason;
      const reason = result.ok ? {} : { reason: result.reason };
      context.store.emit({ type: 'health', at: context.clock.now(), service: record.service, replica: record.replica, health: state, ...reason });
      context.store.changed();
    },
    onProbe: (result) => {
      // While still starting, show why the checks fail (`connection refused`), without waiting for `unhealthy`.
      if (record.monitor === monitor && !result.ok) record.healthReason = result.reason;
    },
  });
  record.monitor = monitor;
  monitor.start();
}

/** Stops the replica's monitor (if any) and forgets its health. */
export function unwatchHealth(record: ReplicaRecord): void {
  const monitor = record.monitor;
  record.monitor = undefined;
  record.health = undefined;
  record.healthReason = undefined;
  void monitor?.close();
}
