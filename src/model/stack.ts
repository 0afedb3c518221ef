/**
 * The typed, frozen model of a stack: what the loader (src/spec) produces from compose files and what everything
 * else consumes. Plain readonly data with every short form expanded and every default filled in; no I/O here.
 * Durations are milliseconds. Field names follow compose where compose has a name, in camelCase.
 */
import type { BerthServiceOptions, BerthStackOptions } from './berth-options.js';

/** One loaded project: what `berth config` prints and what the planner reconciles against. Frozen. */
export interface Stack {
  /** Project name: `-p`, COMPOSE_PROJECT_NAME, top-level `name:`, or the project folder's name. */
  readonly name: string;
  readonly projectDir: string;
  /** The files that were loaded, in merge order (absolute paths). */
  readonly files: readonly string[];
  /** Active services only: those without profiles or with an enabled one (depending on a disabled one is an error). */
  readonly services: Readonly<Record<string, Service>>;
  readonly networks: Readonly<Record<string, Network>>;
  readonly volumes: Readonly<Record<string, Volume>>;
  readonly secrets: Readonly<Record<string, SecretDefinition>>;
  readonly configs: Readonly<Record<string, ConfigDefinition>>;
  /** Every profile named by any service, active or not, sorted. */
  readonly profiles: readonly string[];
  /** Top-level `x-*` keys other than `x-berth`, kept verbatim. */
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly berth: BerthStackOptions;
}

/** One compose service with every default filled in; replicas of it are what runtimes create. */
export interface Service {
  readonly name: string;
  readonly image?: string;
  readonly build?: BuildSpec;
  /** Exec form; a shell-string `command:` is split as compose splits it. Absent = the image's default. */
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** Merged from `env_file` (in order) then `environment`; `null` = named without a value and unset. */
  readonly environment: Readonly<Record<string, string | null>>;
  readonly ports: readonly PortMapping[];
  readonly expose: readonly string[];
  readonly volumes: readonly VolumeMount[];
  readonly dependsOn: Readonly<Record<string, Dependency>>;
  /** Absent when the service has none, or when `disable: true` / `test: ["NONE"]`. */
  readonly healthcheck?: Healthcheck;
  readonly restart: RestartPolicy;
  readonly deploy?: DeploySpec;
  /** Replica count: `deploy.replicas`, else `scale`, else 1. */
  readonly replicas: number;
  readonly networks: Readonly<Record<string, ServiceNetwork>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly profiles: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
  readonly containerName?: string;
  readonly hostname?: string;
  readonly stopSignal: string;
  readonly stopGracePeriodMs: number;
  readonly secrets: readonly FileReference[];
  readonly configs: readonly FileReference[];
  /** Service-level `x-*` keys other than `x-berth`, kept verbatim. */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Other compose keys berth keeps and prints but does not act on (cap_add, logging, ulimits, …), verbatim. */
  readonly other: Readonly<Record<string, unknown>>;
  readonly berth: BerthServiceOptions;
}

/** `build:`: how to build the service's image; kept for runtimes that build (berth itself does not). */
export interface BuildSpec {
  /** Absolute path for a local folder; a URL (git, http) is kept as written. */
  readonly context: string;
  /** Relative to the context, as written; `Dockerfile` by default; `''` when `dockerfile_inline` is used instead. */
  readonly dockerfile: string;
  readonly args: Readonly<Record<string, string | null>>;
  readonly target?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly other: Readonly<Record<string, unknown>>;
}

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One published or exposed container port; a short-form range is already expanded to one entry per port. */
export interface PortMapping {
  /** Container port. */
  readonly target: number;
  /** Host port or range (`"8000"`, `"8000-8010"`); absent = an ephemeral port. */
  readonly published?: string;
  readonly hostIp?: string;
  readonly protocol: Protocol;
  readonly mode: 'ingress' | 'host';
  readonly name?: string;
  readonly appProtocol?: string;
}

export type VolumeMountType = 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';

/** One `volumes:` entry of a service in long form; host paths are absolute. */
export interface VolumeMount {
  readonly type: VolumeMountType;
  /** Absolute host path for binds, a volume name for volumes, absent for anonymous volumes and tmpfs. */
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly bind?: { readonly createHostPath: boolean; readonly propagation?: string; readonly selinux?: string };
  readonly volume?: { readonly nocopy: boolean; readonly subpath?: string };
  readonly tmpfs?: { readonly size?: number; readonly mode?: number };
  readonly consistency?: string;
  /** Other long-form keys (`image`, `volume.labels`, `bind.recursive`, …), verbatim in compose's shape; absent if none. */
  readonly other?: Readonly<Record<string, unknown>>;
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** One `depends_on` entry, declared or inferred (links, `network_mode: service:x`, `volumes_from`). */
export interface Dependency {
  readonly condition: DependencyCondition;
  /** Restart this service when the dependency is restarted. */
  readonly restart: boolean;
  /** `required: false` lets this service start when the dependency is missing or failed. */
  readonly required: boolean;
}

export type HealthcheckTest =
  | { readonly kind: 'exec'; readonly argv: readonly string[] }
  | { readonly kind: 'shell'; readonly command: string };

/** The compose `healthcheck` that runs inside the replica, with compose's default timings. */
export interface Healthcheck {
  readonly test: HealthcheckTest;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
}

export type RestartPolicy =
  | { readonly kind: 'no' }
  | { readonly kind: 'always' }
  | { readonly kind: 'unless-stopped' }
  | { readonly kind: 'on-failure'; readonly maxRetries?: number };

/** `deploy.resources.limits` or `.reservations`; absent fields mean no limit. */
export interface Resources {
  /** Fractional CPUs, e.g. 0.5. */
  readonly cpus?: number;
  readonly memoryBytes?: number;
  readonly pids?: number;
  /** `devices`, `generic_resources`, …, verbatim; absent if none. */
  readonly other?: Readonly<Record<string, unknown>>;
}

/** `deploy.update_config` / `rollback_config` with compose's defaults; informs rolling deploys. */
export interface UpdateConfig {
  readonly parallelism: number;
  readonly delayMs: number;
  readonly failureAction: 'continue' | 'rollback' | 'pause';
  readonly monitorMs: number;
  readonly maxFailureRatio: number;
  readonly order: 'stop-first' | 'start-first';
}

/** `deploy:` as compose reads it; berth uses `replicas`, resources and update/restart settings. */
export interface DeploySpec {
  readonly mode: 'replicated' | 'global' | 'replicated-job' | 'global-job';
  readonly replicas?: number;
  readonly limits: Resources;
  readonly reservations: Resources;
  readonly updateConfig?: UpdateConfig;
  readonly rollbackConfig?: UpdateConfig;
  readonly restartPolicy?: {
    readonly condition: 'none' | 'on-failure' | 'any';
    readonly delayMs?: number;
    readonly maxAttempts?: number;
    readonly windowMs?: number;
  };
  /** `preferences` holds the `spread` value of each `{spread: …}` entry. */
  readonly placement?: {
    readonly constraints: readonly string[];
    readonly preferences: readonly string[];
    readonly maxReplicasPerNode?: number;
  };
  readonly labels: Readonly<Record<string, string>>;
  readonly endpointMode?: 'vip' | 'dnsrr';
  /** Other `deploy` keys, verbatim; absent if none. */
  readonly other?: Readonly<Record<string, unknown>>;
}

/** How a service joins one network. */
export interface ServiceNetwork {
  readonly aliases: readonly string[];
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  /** Other attachment options (`priority`, `mac_address`, `driver_opts`, …), verbatim; absent if none. */
  readonly other?: Readonly<Record<string, unknown>>;
}

/** A top-level network; `external` ones are used, never created. */
export interface Network {
  /** The engine-level name: `<project>_<key>` unless `name:` or `external`. */
  readonly name: string;
  readonly driver?: string;
  readonly external: boolean;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly other: Readonly<Record<string, unknown>>;
}

/** A top-level named volume; `external` ones are used, never created. */
export interface Volume {
  readonly name: string;
  readonly driver?: string;
  readonly external: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly other: Readonly<Record<string, unknown>>;
}

/** A top-level secret: read from `file` or `environment`, or `external` (managed elsewhere). */
export interface SecretDefinition {
  readonly name: string;
  readonly file?: string;
  readonly environment?: string;
  readonly external: boolean;
}

/** A top-level config: like a secret, or given inline as `content`. */
export interface ConfigDefinition {
  readonly name: string;
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external: boolean;
}

/** A service's use of a secret or config: where it lands (`target`) and with which owner and mode. */
export interface FileReference {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  readonly mode?: number;
}
