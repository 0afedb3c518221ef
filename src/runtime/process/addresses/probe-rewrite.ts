import type { ExecCommand } from '../../runtime.js';
import { assertNever } from '../assert-never.js';
import { REPLICA_HOST, rewriteLocalHostPort, rewritePortNumber, type PortMap } from './local-address.js';
import { HOST_FLAGS, PORT_FLAGS } from './command-rewrite.js';
import { rewriteArgv, rewriteShellText, type TokenRule } from './tokens.js';

const LOCAL_ADDRESS = /(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\])(:)(\d{1,5})(?!\d)/g;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0']);

/**
 * A healthcheck (or `berth exec`) command written for inside the container, rewritten to reach this replica:
 * `localhost:<cport>` / `127.0.0.1:<cport>` / `0.0.0.0:<cport>` anywhere in a word (URLs too) → the replica's
 * port (`0.0.0.0` and `[::]` become 127.0.0.1); `-p` / `--port <cport>`; and a bare `<cport>` after a local host
 * word (`nc -z localhost 8000`); the service's own name after `-h` / `--host` → 127.0.0.1. Image adapters add
 * their own rules (redis-cli `-p`) in their LaunchPlan.
 */
export function rewriteProbe(command: ExecCommand, ports: PortMap, ownNames: ReadonlySet<string> = new Set()): ExecCommand {
  const rule: TokenRule = (token, previous) => rewriteProbeToken(token, previous, ports, ownNames);
  switch (command.kind) {
    case 'exec':
      return { kind: 'exec', argv: rewriteArgv(command.argv, rule) };
    case 'shell':
      return { kind: 'shell', command: rewriteShellText(command.command, rule) };
    default:
      return assertNever(command);
  }
}

function rewriteProbeToken(token: string, previous: string | undefined, ports: PortMap, ownNames: ReadonlySet<string>): string {
  if (previous !== undefined && (PORT_FLAGS.has(previous) || LOCAL_HOSTS.has(previous) || ownNames.has(previous))) {
    const port = rewritePortNumber(token, ports);
    if (port !== undefined) return port;
  }
  // The service's own name resolves to its own container inside it; here, to this replica.
  if (previous !== undefined && HOST_FLAGS.has(previous) && ownNames.has(token)) return REPLICA_HOST;
  const own = rewriteLocalHostPort(token, ports, ownNames);
  if (own !== undefined && ownNames.has(token.split(':')[0] ?? '')) return own;
  const flag = /^(--port=)(\d+)$/.exec(token);
  if (flag) return `${flag[1]}${ports.get(Number(flag[2])) ?? flag[2]}`;
  return token.replace(LOCAL_ADDRESS, (match, host: string, colon: string, port: string) => {
    const mapped = ports.get(Number(port));
    if (mapped === undefined) return match;
    return `${host === 'localhost' || host === '127.0.0.1' ? host : REPLICA_HOST}${colon}${mapped}`;
  });
}
