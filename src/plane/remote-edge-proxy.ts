import type { Stack } from '../model/stack.js';
import type { ProxyReplica, ProxyWarning } from '../proxy/edge-proxy.js';
import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import type { ApplyStackResult, PlaneCalls, PlaneProxyOptions, ProxyEndpoints } from './plane-protocol.js';
import type { RpcClient } from './rpc-client.js';

const NO_ENDPOINTS: ProxyEndpoints = { httpPort: 0, httpsPort: 0, adminPort: undefined, workerPids: [] };

/**
 * The data plane's EdgeProxy seen from the daemon (same contract as EdgeProxy, see src/proxy/edge-proxy.ts), over
 * the plane's socket. The proxy lives in the plane: it keeps serving its last routes and replicas while no daemon
 * is connected, and a new daemon takes it over with `attach()`. The port getters return what the last call that
 * reports them (start, attach, applyStack, updateReplicas) said. Differences from EdgeProxy: `updateReplicas` is
 * async; `close()` closes the proxy in the plane, `detach()` only stops this client's record subscription.
 */
export class RemoteEdgeProxy {
  private endpoints: ProxyEndpoints = NO_ENDPOINTS;
  private readonly listeners = new Set<(record: RequestRecord) => void>();
  private records: AbortController | undefined;

  constructor(private readonly rpc: RpcClient) {}

  get httpPort(): number {
    return this.endpoints.httpPort;
  }

  get httpsPort(): number {
    return this.endpoints.httpsPort;
  }

  get adminPort(): number | undefined {
    return this.endpoints.adminPort;
  }

  get workerPids(): readonly number[] {
    return this.endpoints.workerPids;
  }

  /** Starts the plane's proxy with these options (a proxy already running there is kept as it is). */
  async start(options: PlaneProxyOptions): Promise<ProxyEndpoints> {
    const endpoints = this.remember(await this.call<ProxyEndpoints>('proxy.start', { options }));
    if (this.listeners.size > 0 && this.records === undefined) this.subscribeRecords();
    return endpoints;
  }

  /** Takes over the proxy a previous daemon started: its endpoints, or undefined when the plane runs none. */
  async attach(): Promise<ProxyEndpoints | undefined> {
    const endpoints = await this.call<ProxyEndpoints | null>('proxy.attach', {});
    if (endpoints === null) return undefined;
    this.remember(endpoints);
    if (this.listeners.size > 0 && this.records === undefined) this.subscribeRecords();
    return endpoints;
  }

  async applyStack(stack: Stack): Promise<readonly ProxyWarning[]> {
    const result = await this.call<ApplyStackResult>('proxy.applyStack', { stack });
    this.remember(result.endpoints);
    return result.warnings;
  }

  /** As EdgeProxy.updateReplicas (RangeError on a bad weight), async; calls apply in the order they are made. */
  async updateReplicas(replicas: readonly ProxyReplica[]): Promise<void> {
    this.remember(await this.call<ProxyEndpoints>('proxy.updateReplicas', { replicas }));
  }

  /**
   * Subscribes `listener` to finished requests (delivered from the plane over the socket, a little later than in
   * process). Returns the function that unsubscribes it. Records of a time no daemon was connected are lost.
   */
  onRecord(listener: (record: RequestRecord) => void): () => void {
    const entry = (record: RequestRecord): void => listener(record);
    this.listeners.add(entry);
    if (this.listeners.size === 1) this.subscribeRecords();
    return () => {
      this.listeners.delete(entry);
      if (this.listeners.size === 0) this.unsubscribeRecords();
    };
  }

  inFlight(upstreams: readonly string[]): Promise<number> {
    return this.call<number>('proxy.inFlight', { upstreams });
  }

  /** Stops the proxy in the plane (listeners, workers, ACME). */
  async close(): Promise<void> {
    this.unsubscribeRecords();
    if (!this.rpc.connected) return;
    await this.call('proxy.close', {});
    this.endpoints = NO_ENDPOINTS;
  }

  /** Stops this client's record subscription; the proxy keeps serving in the plane. */
  detach(): void {
    this.unsubscribeRecords();
    this.listeners.clear();
  }

  private subscribeRecords(): void {
    this.unsubscribeRecords();
    const abort = new AbortController();
    this.records = abort;
    const stream = this.rpc.subscribe<RequestRecord>('proxy.records', {}, abort.signal);
    void (async () => {
      try {
        for await (const record of stream) {
          for (const listener of this.listeners) {
            try {
              listener(record);
            } catch {
              // As in process: a listener that throws is kept; the others still get the record.
            }
          }
        }
      } catch {
        // No proxy yet, or the connection was lost: nothing to deliver.
      }
      if (this.records === abort) this.records = undefined;
    })();
  }

  private unsubscribeRecords(): void {
    this.records?.abort();
    this.records = undefined;
  }

  private remember(endpoints: ProxyEndpoints): ProxyEndpoints {
    this.endpoints = endpoints;
    return endpoints;
  }

  private call<T>(method: keyof PlaneCalls, params: PlaneCalls[typeof method]): Promise<T> {
    return this.rpc.call<T>(method, params);
  }
}
