import path from 'node:path';
import { BerthError } from '../../../errors.js';
import { userEnvironment } from '../launch/environment.js';
import type { LaunchPlan } from '../launch/launch-plan.js';
import { findOnPath, findVersionedBin } from './binaries.js';
import { serverArguments, type AdapterInput, type ImageAdapter } from './image-adapter.js';
import { initialisePostgres } from './postgres-init.js';

export interface PostgresAdapterOptions {
  /** Where versioned installs live (Debian: /usr/lib/postgresql/<ver>/bin). */
  readonly roots?: readonly string[];
  /** PATH to search when no versioned install is found. */
  readonly searchPath?: string;
}

const DEFAULT_ROOTS = ['/usr/lib/postgresql'];
const DEFAULT_PGDATA = '/var/lib/postgresql/data';
/** Flags of the official image's `postgres` command that berth sets itself (with their argument). */
const OWN_FLAGS = new Set(['-D', '-p', '-k', '-h']);

/**
 * The official `postgres` image as a local server: the newest installed PostgreSQL, its data folder where the
 * image's PGDATA is mounted (a named volume → `<state>/volumes/<name>/…`), first-start initialisation with the
 * image's variables (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_INITDB_ARGS,
 * POSTGRES_HOST_AUTH_METHOD), run as the `postgres` account when berth is root (PostgreSQL refuses root),
 * listening on 127.0.0.1 at the replica's port with its socket in the replica's run folder. `-c` settings of a
 * compose `command: postgres -c …` are kept. Healthchecks get PGHOST (the socket folder: trusted, as inside the
 * container), PGPORT, PGUSER and PGDATABASE. Stops with SIGINT (fast shutdown), as the image's STOPSIGNAL.
 */
export function postgresAdapter(options: PostgresAdapterOptions = {}): ImageAdapter {
  return {
    name: 'postgres',
    defaultPorts: [5432],
    matches: (image) => image.repository === 'postgres',
    plan: (input) => planPostgres(input, options),
  };
}

function planPostgres(input: AdapterInput, options: PostgresAdapterOptions): LaunchPlan {
  const install = findPostgres(options);
  const env = input.env;
  const superuser = env.POSTGRES_USER || 'postgres';
  const database = env.POSTGRES_DB || superuser;
  const dataDir = input.hostPath(env.PGDATA || DEFAULT_PGDATA);
  const user = input.root ? input.lookupUser('postgres') : undefined;
  if (input.root && !user) {
    throw new BerthError('RUNTIME_START_FAILED', `service ${input.spec.service.name}: PostgreSQL refuses to run as root and this host has no \`postgres\` account`, {
      hint: 'install the Debian package `postgresql` (it creates the account), or add one with `useradd --system postgres`',
    });
  }
  const argv = [
    path.join(install.bin, 'postgres'), ...commandSettings(input),
    '-D', dataDir, '-p', String(input.port),
    '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${input.runDir}`,
  ];
  return {
    how: `image adapter postgres (PostgreSQL ${install.version ?? 'from PATH'})`,
    argv,
    cwd: input.runDir,
    env: { ...env, ...userEnvironment(user), PGDATA: dataDir },
    ...(user ? { user } : {}),
    prepare: (context) => initialisePostgres({ input, install, dataDir, superuser, database, ...(user ? { user } : {}) }, context),
    probeEnv: { PGHOST: input.runDir, PGPORT: String(input.port), PGUSER: superuser, PGDATABASE: database },
    stopSignal: 'SIGINT',
  };
}

export interface PostgresInstall {
  readonly bin: string;
  readonly version?: number;
}

function findPostgres(options: PostgresAdapterOptions): PostgresInstall {
  const roots = options.roots ?? DEFAULT_ROOTS;
  const versioned = findVersionedBin(roots, ['postgres', 'initdb']);
  if (versioned) return versioned;
  const onPath = findOnPath('postgres', options.searchPath, options.searchPath === undefined ? undefined : []);
  if (onPath && findOnPath('initdb', path.dirname(onPath), [])) return { bin: path.dirname(onPath) };
  throw new BerthError('RUNTIME_MISSING_BINARY', `PostgreSQL is not installed: no postgres and initdb under ${roots.map((r) => `${r}/<version>/bin`).join(', ')} or on PATH`, {
    hint: 'install the Debian package `postgresql` (apt-get install -y postgresql), or run the stack with `--runtime docker`',
  });
}

/**
 * The server settings of a compose `command:` for the image (`postgres -c max_connections=200`, or just
 * `-c …`), without the flags berth sets itself. Another program as command is ignored with a warning.
 */
function commandSettings(input: AdapterInput): string[] {
  const args = serverArguments(input, 'postgres');
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (OWN_FLAGS.has(arg)) i += 1;
    else if (!OWN_FLAGS.has(arg.slice(0, 2))) out.push(mapSettingPath(arg, input));
  }
  return out;
}

/** `config_file=/etc/postgresql/postgresql.conf` from a bind mount → its host path. */
function mapSettingPath(arg: string, input: AdapterInput): string {
  const match = /^([a-z_]+)=(\/.*)$/.exec(arg);
  if (!match) return arg;
  const host = input.mountedPath(match[2] as string);
  return host === undefined ? arg : `${match[1]}=${host}`;
}
