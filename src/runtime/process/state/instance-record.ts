import { BerthError } from '../../../errors.js';
import type { InstanceId, StackName } from '../../../model/ids.js';
import type { ExitInfo, Instance, InstanceSpec, InstanceState } from '../../runtime.js';
import { REPLICA_HOST } from '../addresses/local-address.js';

/** The process of a running (or once running) replica, as recorded. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Always the pid: a replica leads its own process group. */
  readonly pgid: number;
  /** Start time from /proc/<pid>/stat, in clock ticks after boot: tells our process from a later one with its pid. */
  readonly startTicks?: number;
}

/** What the process runtime records about one replica, durably (`<state>/runtime/process.json`). */
export interface InstanceRecord {
  readonly id: InstanceId;
  readonly stack: StackName;
  readonly service: string;
  readonly replica: number;
  readonly state: InstanceState;
  /** Replica port by container port, main one first (JSON keeps the order of the pairs). */
  readonly ports: readonly (readonly [number, number])[];
  /**
   * When the service declares no container port: a port for `PORT` anyway (Procfile processes expect one, as
   * foreman and Heroku give it), not forwarded and not an endpoint.
   */
  readonly privatePort?: number;
  readonly logFile: string;
  /** The spec it was created from: enough to start it again after berth restarts. */
  readonly spec: InstanceSpec;
  readonly createdAt: number;
  readonly process?: ProcessIdentity;
  readonly startedAt?: number;
  readonly exit?: ExitInfo;
}

/** Allowed state changes: `start` (created|exited → running) and an exit (running → exited). */
const TRANSITIONS: Readonly<Record<InstanceState, readonly InstanceState[]>> = {
  created: ['running'],
  running: ['exited'],
  exited: ['running'],
};

export function canTransition(from: InstanceState, to: InstanceState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The record in state `to`, or RUNTIME_INSTANCE_STATE when the transition is not allowed. */
export function transition(record: InstanceRecord, to: InstanceState, changes: Partial<InstanceRecord> = {}): InstanceRecord {
  if (!canTransition(record.state, to)) {
    throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${record.id} is ${record.state}; it cannot become ${to}`, {
      hint: to === 'running' ? 'stop it first, or create a new replica' : 'check its state with `berth ps`',
    });
  }
  return { ...record, ...changes, state: to };
}

export function toInstance(record: InstanceRecord): Instance {
  const endpoints: Record<number, { host: string; port: number }> = {};
  for (const [containerPort, port] of record.ports) endpoints[containerPort] = { host: REPLICA_HOST, port };
  return {
    id: record.id,
    stack: record.stack,
    service: record.service,
    replica: record.replica,
    state: record.state,
    endpoints,
    ...(record.state === 'running' && record.process ? { pid: record.process.pid } : {}),
    ...(record.startedAt === undefined ? {} : { startedAt: record.startedAt }),
    ...(record.exit === undefined ? {} : { exit: record.exit }),
    spec: record.spec,
  };
}

export function portMap(record: InstanceRecord): Map<number, number> {
  return new Map(record.ports.map(([c, p]) => [c, p]));
}

/** Every host port a replica holds. */
export function heldPorts(record: InstanceRecord): number[] {
  return [...record.ports.map(([, port]) => port), ...(record.privatePort === undefined ? [] : [record.privatePort])];
}
