/*
 * The edge proxy's listeners in worker processes (one per core): the daemon accepts and hands connections out,
 * and keeps the workers' configuration equal to its own — routes, endpoints, certificates, ACME challenges.
 */
import type { Logger } from '../../log/logger.js';
import type { ProxyObserver } from '../forward/proxy-context.js';
import type { Route } from '../routing/route.js';
import type { ServingConfig } from '../serving-config.js';
import type { EdgeTls } from '../tls/edge-tls.js';
import type { CertificateTable } from '../tls/sni.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { CertificateData } from '../workers/messages.js';
import { ProxyWorkers } from '../workers/proxy-workers.js';
import type { ProxyListeners } from './proxy-listeners.js';

const CLOSE_GRACE_MS = 10_000;

export interface WorkerListenersOptions {
  readonly count: number;
  readonly log: Logger;
  readonly observer: ProxyObserver;
  /** The edge proxy's configuration: the rate-limit buckets all workers share live there. */
  readonly serving: ServingConfig;
  /** Node flags for the workers (tests running from source). */
  readonly execArgv?: readonly string[];
}

export class WorkerListeners implements ProxyListeners {
  private readonly workers: ProxyWorkers;
  private started: Promise<void> | undefined;
  private tls: EdgeTls | undefined;

  constructor(options: WorkerListenersOptions) {
    const observer = options.observer;
    this.workers = new ProxyWorkers({
      count: options.count,
      log: options.log,
      onRecords: (records) => {
        for (const record of records) observer.onRequestDone(record);
      },
      takeToken: (routeId, key) => options.serving.takeToken(routeId, key),
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    });
  }

  get httpPort(): number {
    return this.workers.port('http');
  }

  get httpsPort(): number {
    return this.workers.port('https');
  }

  /** The worker processes' ids (status, tests). */
  get pids(): readonly number[] {
    return this.workers.pids;
  }

  async openHttp(port: number, host: string): Promise<void> {
    await this.start();
    await this.workers.listen('http', port, host);
  }

  async openHttps(port: number, host: string): Promise<void> {
    await this.start();
    await this.workers.listen('https', port, host);
  }

  closeHttps(): Promise<void> {
    return this.workers.unlisten('https');
  }

  useTls(edgeTls: EdgeTls | undefined): void {
    if (edgeTls === this.tls) return;
    if (this.tls !== undefined) {
      this.tls.sni.onSwap = undefined;
      this.tls.responder.onChange = undefined;
    }
    this.tls = edgeTls;
    if (edgeTls === undefined) {
      this.sendCertificates(undefined);
      this.workers.send({ type: 'challenges', tokens: [] });
      return;
    }
    edgeTls.sni.onSwap = (table) => this.sendCertificates(table);
    edgeTls.responder.onChange = (tokens) => this.workers.send({ type: 'challenges', tokens });
    this.sendCertificates(edgeTls.sni.table);
    this.workers.send({ type: 'challenges', tokens: edgeTls.responder.entries() });
  }

  configured(routes: readonly Route[], httpsPort: number): void {
    this.workers.send({ type: 'routes', routes, httpsPort });
  }

  endpointsChanged(pools: ReadonlyMap<string, UpstreamPool>): void {
    this.workers.send({
      type: 'endpoints',
      pools: [...pools].map(([key, pool]) => [
        key,
        pool.endpoints().filter((e) => e.healthy).map((e) => (e.standby
          ? { host: e.host, port: e.port, weight: e.weight, standby: true }
          : { host: e.host, port: e.port, weight: e.weight })),
      ] as const),
    });
  }

  inFlight(upstreams: readonly string[]): Promise<number> {
    return this.workers.inFlight(upstreams);
  }

  close(): Promise<void> {
    return this.workers.close(CLOSE_GRACE_MS);
  }

  private start(): Promise<void> {
    this.started ??= this.workers.start();
    return this.started;
  }

  private sendCertificates(table: CertificateTable | undefined): void {
    const entries: CertificateData[] = (table?.entries ?? []).map((entry) => ({
      id: entry.id,
      source: entry.source,
      names: entry.names,
      pair: { cert: entry.pair.cert, key: entry.pair.key },
      notAfter: entry.notAfter,
      serial: entry.serial,
    }));
    this.workers.send({ type: 'certificates', entries, defaultId: table?.defaultEntry?.id });
  }
}
