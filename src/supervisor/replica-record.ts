import type { HealthState } from '../health/health-state.js';
import type { HealthMonitor } from '../health/monitor.js';
import type { InstanceId } from '../model/ids.js';
import { replicaKey } from '../plan/observed.js';
import type { Endpoint, ExitInfo, Instance, InstanceSpec } from '../runtime/runtime.js';
import { FRESH_RESTART_MEMORY, type RestartMemory } from './restart-policy.js';
import type { ReplicaStatus } from './replica-status.js';

/** One replica as `berth ps` and the API show it. Plain data (JSON-safe). */
export interface ReplicaView {
  readonly service: string;
  readonly replica: number;
  readonly instanceId: InstanceId;
  readonly status: ReplicaStatus;
  /** Why, in words: `gave up after 3 restarts`, `crash loop: 5 exits in 30s`, `waiting for db healthy`. */
  readonly detail?: string;
  /** Absent when the replica has no healthcheck or is not running. */
  readonly health?: HealthState;
  /** The last failing probe's reason while unhealthy or starting. */
  readonly healthReason?: string;
  readonly pid?: number;
  readonly endpoints: Readonly<Record<number, Endpoint>>;
  /** Restarts made by the restart policy since the user last started it. */
  readonly restarts: number;
  readonly exit?: ExitInfo;
  /** When the status last changed (ms since the epoch, the supervisor's clock). */
  readonly since: number;
  /** The release the replica was created for (its BERTH_RELEASE); absent for replicas from before releases. */
  readonly release?: string;
}

/** `restarting (crash loop: 5 exits in 30s)`, `failed (gave up after 3 restarts)`, `exited (1)`, `running`. */
export function statusText(view: Pick<ReplicaView, 'status' | 'detail' | 'exit'>): string {
  if (view.detail) return `${view.status} (${view.detail})`;
  if (view.status === 'exited' && view.exit?.code !== undefined && view.exit.code !== null) return `exited (${view.exit.code})`;
  return view.status;
}

/**
 * The supervisor's mutable bookkeeping for one replica. Only ReplicaStore changes `status` (checked against the
 * transition table); the lifecycle code changes the rest.
 */
export class ReplicaRecord {
  instance: Instance;
  status: ReplicaStatus = 'created';
  since: number;
  detail: string | undefined;
  health: HealthState | undefined;
  healthReason: string | undefined;
  /** Known once the replica has run: whether it has a health probe (a `service_healthy` gate needs one). */
  hasProbe: boolean | undefined;
  monitor: HealthMonitor | undefined;
  memory: RestartMemory = FRESH_RESTART_MEMORY;
  lastExit: ExitInfo | undefined;
  /** Set when the replica started at least once since it was created. */
  everStarted = false;
  /** When the current (or last) run started. */
  runStartedAt: number | undefined;
  /** Stopped by `berth stop`: no policy restarts it, `unless-stopped` keeps it down across partial `up`s. */
  stoppedByUser = false;
  /** Exit events still to come for stops berth asked for; they are not crashes. */
  expectedExits = 0;
  cancelRestart: (() => void) | undefined;
  /** Bumped on every start and stop, so that stale async work (a restart timer) can tell it is outdated. */
  generation = 0;

  constructor(
    readonly spec: InstanceSpec,
    instance: Instance,
    readonly fingerprint: string,
    now: number,
  ) {
    this.instance = instance;
    this.since = now;
  }

  get service(): string {
    return this.spec.service.name;
  }

  get replica(): number {
    return this.spec.replica;
  }

  get id(): InstanceId {
    return this.instance.id;
  }

  get key(): string {
    return replicaKey(this.service, this.replica);
  }

  view(): ReplicaView {
    const running = this.status === 'running' || this.status === 'stopping';
    return {
      service: this.service,
      replica: this.replica,
      instanceId: this.id,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(running && this.health !== undefined ? { health: this.health } : {}),
      ...(running && this.healthReason !== undefined ? { healthReason: this.healthReason } : {}),
      ...(running && this.instance.pid !== undefined ? { pid: this.instance.pid } : {}),
      endpoints: this.instance.endpoints,
      restarts: this.memory.restarts,
      ...(this.lastExit === undefined ? {} : { exit: this.lastExit }),
      since: this.since,
      ...(this.spec.env.BERTH_RELEASE === undefined ? {} : { release: this.spec.env.BERTH_RELEASE }),
    };
  }
}
