import { rewriteServiceReferences, type HostResolver } from './host-references.js';
import { isWildcardHost, REPLICA_HOST, rewriteLocalHostPort, rewritePortNumber, type PortMap } from './local-address.js';
import { rewriteArgv, shellScriptIndex, splitFlagValue } from './tokens.js';

export interface CommandRewriteContext {
  /** This replica's ports, by container port. */
  readonly ports: PortMap;
  readonly resolve: HostResolver;
  /** Names this service answers to (its name, aliases): `web:8000` in its own command is its own address. */
  readonly ownNames?: ReadonlySet<string>;
  /** The replica's environment, for `$PORT`, `${PORT}`, `$HOST`, `$PORT_<n>` in exec-form arguments. */
  readonly env?: Readonly<Record<string, string>>;
  /** Maps a path inside the container to the host (bind mounts); undefined when it is not under a mount. */
  readonly hostPath?: (containerPath: string) => string | undefined;
}

/** Flags followed by the port to listen on. */
export const PORT_FLAGS = new Set(['--port', '-p', '--listen']);
/** Flags followed by the host (or `HOST:PORT`) to listen on. */
export const HOST_FLAGS = new Set(['--host', '-h', '-H', '--hostname', '--bind', '-b', '--address', '--listen-address', '--bind-address']);
const OUR_VARIABLES = /\$(?:\{(PORT(?:_\d+)?|HOST)\}|(PORT(?:_\d+)?|HOST)(?![A-Za-z0-9_]))/g;

/**
 * A command written for a container, rewritten to run as a local process on this replica's port:
 * - the port after `--port` / `-p` / `--listen` (or `--port=8000`), if it is a container port → the replica's;
 * - a listen address `0.0.0.0:8000`, `:8000`, `[::]:8000`, `localhost:8000` (also after `--bind=`) → `127.0.0.1:<port>`;
 * - a wildcard host after `--host` / `-h` / `--bind` → 127.0.0.1 (replicas are reached through berth's forwarders);
 * - service hosts in URLs and `HOST:PORT` arguments → virtual addresses;
 * - paths under a bind mount → the host folder;
 * - in exec-form arguments, `$PORT` / `${PORT}` / `$HOST` / `$PORT_<n>` → their values (a shell expands them itself).
 * A `sh -c SCRIPT` command has its script rewritten word by word.
 */
export function rewriteCommand(argv: readonly string[], context: CommandRewriteContext): string[] {
  const script = shellScriptIndex(argv);
  const rewritten = rewriteArgv(argv, (token, previous) => rewriteCommandToken(token, previous, context));
  return rewritten.map((token, i) => (i === script ? token : expandOurVariables(token, context.env)));
}

export function rewriteCommandToken(token: string, previous: string | undefined, context: CommandRewriteContext): string {
  if (previous !== undefined && PORT_FLAGS.has(previous)) {
    const port = rewritePortNumber(token, context.ports);
    if (port !== undefined) return port;
  }
  if (previous !== undefined && HOST_FLAGS.has(previous) && isWildcardHost(token)) return REPLICA_HOST;
  const flag = splitFlagValue(token);
  if (flag) return `${flag.flag}=${rewriteFlagValue(flag.flag, flag.value, context)}`;
  return rewriteValue(token, context);
}

function rewriteFlagValue(flag: string, value: string, context: CommandRewriteContext): string {
  if (PORT_FLAGS.has(flag)) {
    const port = rewritePortNumber(value, context.ports);
    if (port !== undefined) return port;
  }
  if (HOST_FLAGS.has(flag) && isWildcardHost(value)) return REPLICA_HOST;
  return rewriteValue(value, context);
}

function rewriteValue(value: string, context: CommandRewriteContext): string {
  const local = rewriteLocalHostPort(value, context.ports, context.ownNames);
  if (local !== undefined) return local;
  if (value.startsWith('/') && context.hostPath) {
    const host = context.hostPath(value);
    if (host !== undefined) return host;
  }
  return rewriteServiceReferences(value, context.resolve);
}

function expandOurVariables(token: string, env: Readonly<Record<string, string>> | undefined): string {
  if (!env || !token.includes('$')) return token;
  return token.replace(OUR_VARIABLES, (match, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? match);
}
