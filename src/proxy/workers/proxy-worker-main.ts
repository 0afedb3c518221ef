/*
 * Entry of a proxy worker process, forked by ProxyWorkers with an IPC channel. It serves what the primary sends
 * and exits once told to drain, or when the primary goes away.
 */
import { ProxyWorker } from './proxy-worker.js';
import type { FromWorker, ToWorker } from './messages.js';

const send = (message: FromWorker): void => {
  if (process.connected) process.send?.(message);
};

const worker = new ProxyWorker(send, () => {
  if (!process.connected) process.exit(0);
  // Messages arrive in order: once this one is written, the last records are too.
  process.send?.({ type: 'drained' } satisfies FromWorker, undefined, {}, () => process.exit(0));
});

process.on('message', (message: ToWorker, handle: unknown) => worker.receive(message, handle));
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
