import net from 'node:net';
import type { Endpoint } from '../runtime/runtime.js';
import { abortMessage, failed, passed, type Probe, type ProbeResult, socketErrorMessage, stopwatch } from './probe.js';

/**
 * Healthy when a TCP connection to the endpoint opens; the connection is closed at once without sending anything.
 * It does not check that the listener speaks any protocol, and does not time itself out (abort `signal` for that).
 */
export function tcpProbe(endpoint: Endpoint): Probe {
  return { check: (signal) => checkTcp(endpoint, signal) };
}

function checkTcp(endpoint: Endpoint, signal: AbortSignal): Promise<ProbeResult> {
  const elapsed = stopwatch();
  if (signal.aborted) return Promise.resolve(failed(elapsed(), abortMessage(signal)));
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const finish = (result: ProbeResult): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish(failed(elapsed(), abortMessage(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(passed(elapsed())));
    socket.once('error', (error) => finish(failed(elapsed(), socketErrorMessage(error, endpoint))));
  });
}
