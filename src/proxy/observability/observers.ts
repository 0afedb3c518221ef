import type { ProxyObserver, RequestRecord } from '../forward/proxy-context.js';

export type { ProxyObserver, RequestRecord } from '../forward/proxy-context.js';

/** One observer that tells each of `observers` in turn (the proxy handler takes one: access log + metrics). */
export function fanOut(observers: readonly ProxyObserver[]): ProxyObserver {
  if (observers.length === 1 && observers[0] !== undefined) return observers[0];
  return {
    onRequestDone(record: RequestRecord): void {
      for (const observer of observers) observer.onRequestDone(record);
    },
  };
}
