import { existsSync } from 'node:fs';
import { chown, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BerthError } from '../../../errors.js';
import { userEnvironment } from '../launch/environment.js';
import type { PrepareContext, SpawnUser } from '../launch/launch-plan.js';
import { runTool } from '../spawn/run-tool.js';
import { prepareDataFolder } from './data-folder.js';
import type { AdapterInput } from './image-adapter.js';
import { initScripts, runInitScripts } from './postgres-init-scripts.js';
import type { PostgresInstall } from './postgres.js';

export interface PostgresInitArgs {
  readonly input: AdapterInput;
  readonly install: PostgresInstall;
  readonly dataDir: string;
  readonly superuser: string;
  readonly database: string;
  readonly user?: SpawnUser;
}

const TOOL_TIMEOUT_MS = 120_000;

/**
 * Before each start: the data and socket folders exist and belong to the server's account. On the first start
 * (no PG_VERSION yet), as the image's entry point does: initdb with the superuser and its password (via a
 * password file, never argv), scram-sha-256 for TCP and trust for the local socket, UTF8; then the database
 * POSTGRES_DB created in single-user mode, before the server ever listens; then the scripts mounted into
 * /docker-entrypoint-initdb.d, against a temporary socket-only server.
 */
export async function initialisePostgres(args: PostgresInitArgs, context: PrepareContext): Promise<void> {
  const { input, dataDir, user } = args;
  const folder = { owner: user, mode: 0o700, stateDir: input.stateDir, program: 'postgres' } as const;
  await prepareDataFolder({ ...folder, dir: dataDir });
  await prepareDataFolder({ ...folder, dir: input.runDir });
  if (input.image.major !== undefined && args.install.version !== undefined && input.image.major !== Math.floor(args.install.version)) {
    context.log('e', `berth: the image asks for postgres ${input.image.tag ?? ''}; running the installed PostgreSQL ${args.install.version}`);
  }
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    context.log('e', 'PostgreSQL Database directory appears to contain a database; Skipping initialization');
    return;
  }
  await initdb(args, context);
  if (args.database !== 'postgres') await createDatabase(args, context);
  const scripts = initScripts(input.spec.service.volumes);
  if (scripts.length > 0) await runInitScripts(args, scripts, context);
  context.log('e', 'PostgreSQL init process complete; ready for start up.');
}

async function initdb(args: PostgresInitArgs, context: PrepareContext): Promise<void> {
  const { input, dataDir, user } = args;
  const env = input.env;
  const password = env.POSTGRES_PASSWORD ?? '';
  const hostAuth = env.POSTGRES_HOST_AUTH_METHOD || 'scram-sha-256';
  if (password === '' && hostAuth !== 'trust') {
    throw new BerthError('RUNTIME_START_FAILED', `service ${input.spec.service.name}: the database is uninitialized and the superuser password is not specified`, {
      hint: 'set POSTGRES_PASSWORD in the service\'s environment (or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one)',
    });
  }
  const pwfile = path.join(input.runDir, 'initdb-password');
  const argv = [
    path.join(args.install.bin, 'initdb'), '-D', dataDir, `--username=${args.superuser}`,
    `--auth-host=${hostAuth}`, '--auth-local=trust', '--encoding=UTF8', `--locale=${initdbLocale()}`,
    ...(password === '' ? [] : [`--pwfile=${pwfile}`]),
    ...splitArgs(env.POSTGRES_INITDB_ARGS ?? ''),
  ];
  try {
    if (password !== '') {
      await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
      if (user) await chown(pwfile, user.uid, user.gid);
    }
    await runTool({ argv, env: toolEnv(args), cwd: input.runDir, ...(user ? { user } : {}), onLine: context.log, timeoutMs: TOOL_TIMEOUT_MS, ...(context.signal ? { signal: context.signal } : {}), what: 'initdb' });
  } finally {
    await rm(pwfile, { force: true });
  }
}

async function createDatabase(args: PostgresInitArgs, context: PrepareContext): Promise<void> {
  const { input, dataDir, user } = args;
  const quoted = `"${args.database.replace(/"/g, '""')}"`;
  await runTool({
    argv: [path.join(args.install.bin, 'postgres'), '--single', '-D', dataDir, '-c', 'exit_on_error=on', 'postgres'],
    input: `CREATE DATABASE ${quoted};\n`,
    env: toolEnv(args), cwd: input.runDir, ...(user ? { user } : {}), onLine: context.log, timeoutMs: TOOL_TIMEOUT_MS,
    ...(context.signal ? { signal: context.signal } : {}), what: `creating the database ${quoted}`,
  });
}

/** The tools get the replica's environment without the password and with PGDATA pointing at the host folder. */
function toolEnv(args: PostgresInitArgs): Record<string, string> {
  const env: Record<string, string> = { ...args.input.env, ...userEnvironment(args.user), PGDATA: args.dataDir };
  delete env.POSTGRES_PASSWORD;
  return env;
}

/** C.UTF-8 where the C library has it (Debian, Ubuntu), else C: both exist without generating locales. */
function initdbLocale(): string {
  return ['/usr/lib/locale/C.utf8', '/usr/lib/locale/C.UTF-8'].some((p) => existsSync(p)) ? 'C.UTF-8' : 'C';
}

/** POSTGRES_INITDB_ARGS is split on white space, as the image's entry point does. */
function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a !== '');
}
