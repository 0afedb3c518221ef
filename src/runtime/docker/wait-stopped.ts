import type Docker from 'dockerode';
import { hasStatus } from './engine-error.js';

/**
 * Waits until the Engine records the container as not running, at most `timeoutMs`: true once it is stopped (or
 * gone), false at the deadline or when `signal` aborts. Other Engine failures reject.
 */
export async function waitStopped(container: Docker.Container, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, timeoutMs));
  const onAbort = (): void => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await container.wait({ condition: 'not-running', abortSignal: abort.signal });
    return true;
  } catch (error) {
    if (hasStatus(error, 404)) return true;
    if (abort.signal.aborted) return false;
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
