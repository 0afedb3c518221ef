import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { BerthError } from '../../../errors.js';
import type { ExecCommand } from '../../runtime.js';
import { assertNever } from '../assert-never.js';
import type { LaunchPlan } from '../launch/launch-plan.js';
import { findOnPath } from './binaries.js';
import { serverArguments, type AdapterInput, type ImageAdapter } from './image-adapter.js';

export interface RedisAdapterOptions {
  /** PATH to search for redis-server (default: berth's own PATH, then the system folders). */
  readonly searchPath?: string;
}

/** Options berth sets itself; a later argument wins in redis, so ours come last. */
const OWN_OPTIONS = ['--port', '--bind', '--dir', '--daemonize'];

/**
 * The official `redis` image as a local `redis-server`: the compose command's options are kept
 * (`redis-server --appendonly yes`; a config file path is mapped through its bind mount), then berth's:
 * `--port <replica port> --bind 127.0.0.1 --dir <the folder mounted at /data> --daemonize no`.
 * `redis-cli` in healthchecks gets `-p <replica port>`.
 */
export function redisAdapter(options: RedisAdapterOptions = {}): ImageAdapter {
  return {
    name: 'redis',
    defaultPorts: [6379],
    matches: (image) => image.repository === 'redis',
    plan: (input) => planRedis(input, options),
  };
}

function planRedis(input: AdapterInput, options: RedisAdapterOptions): LaunchPlan {
  const binary = findOnPath('redis-server', options.searchPath, options.searchPath === undefined ? undefined : []);
  if (!binary) {
    throw new BerthError('RUNTIME_MISSING_BINARY', 'Redis is not installed: redis-server is not on PATH', {
      hint: 'install the Debian package `redis-server` (apt-get install -y redis-server), or run the stack with `--runtime docker`',
    });
  }
  const dataDir = input.hostPath('/data');
  const port = String(input.port);
  return {
    how: 'image adapter redis',
    argv: [binary, ...commandOptions(input), '--port', port, '--bind', '127.0.0.1', '--dir', dataDir, '--daemonize', 'no'],
    cwd: dataDir,
    env: input.env,
    prepare: async () => {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
    },
    probeEnv: {},
    probeRewrite: (command) => addRedisCliPort(command, port),
    stopSignal: 'SIGTERM',
  };
}

/** The options of a compose `command: redis-server …` (or `command: --appendonly yes`), without berth's own. */
function commandOptions(input: AdapterInput): string[] {
  const args = serverArguments(input, 'redis-server');
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (OWN_OPTIONS.includes(arg)) i += 1;
    else if (i === 0 && !arg.startsWith('-')) {
      const config = input.mountedPath(arg);
      if (config) out.push(config);
      else input.log.warn('the redis config file is not under a bind mount; it is ignored', { service: input.spec.service.name, file: arg });
    } else out.push(arg);
  }
  return out;
}

/** `redis-cli …` without a port → `redis-cli -p <port> …` (argv, or each call in a shell script). */
export function addRedisCliPort(command: ExecCommand, port: string): ExecCommand {
  switch (command.kind) {
    case 'exec': {
      const [program, ...rest] = command.argv;
      if (path.basename(program ?? '') !== 'redis-cli' || rest.includes('-p')) return command;
      return { kind: 'exec', argv: [program as string, '-p', port, ...rest] };
    }
    case 'shell':
      if (/\s-p\s/.test(command.command)) return command;
      return { kind: 'shell', command: command.command.replace(/(^|[\s;&|(`])((?:\S*\/)?redis-cli)(?=\s|$)/g, `$1$2 -p ${port}`) };
    default:
      return assertNever(command);
  }
}
