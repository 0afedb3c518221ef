import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import { BerthError } from '../errors.js';

/**
 * Listens on a unix socket that is the lock of one berth process per project (the daemon, the data plane): a socket
 * file whose server still answers means another one runs (DAEMON_START naming `who`); a stale file left by a
 * process that died is removed. The socket is made 0600.
 */
export async function listenOnOwnSocket(server: net.Server, socket: string, who: string): Promise<void> {
  try {
    await listen(server, socket);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (await answers(socket)) throw new BerthError('DAEMON_START', `another ${who} already serves this project on ${socket}`);
    rmSync(socket, { force: true });
    await listen(server, socket);
  }
  chmodSync(socket, 0o600);
}

function listen(server: net.Server, socket: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** True if a server accepts connections on the unix socket (false for a stale socket file or none). */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
