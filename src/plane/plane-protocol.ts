/*
 * The methods the data plane serves (method name → params → result), shared by the plane and its clients.
 */
import type { InstanceId, StackName } from '../model/ids.js';
import type { Stack } from '../model/stack.js';
import type { EdgeProxyOptions, ProxyReplica, ProxyWarning } from '../proxy/edge-proxy.js';
import type { ExecCommand, InstanceSpec, LogOptions } from '../runtime/runtime.js';

/** EdgeProxyOptions as plain data: the plane gives the proxy its own logger. */
export type PlaneProxyOptions = Omit<EdgeProxyOptions, 'log'>;

/** Where the plane's edge proxy listens, as of the call that returned it. */
export interface ProxyEndpoints {
  readonly httpPort: number;
  /** 0 while there is no HTTPS listener. */
  readonly httpsPort: number;
  readonly adminPort: number | undefined;
  readonly workerPids: readonly number[];
}

/** What `ping` answers: the plane process, and when it started (a different pid or time means a new plane). */
export interface PingResult {
  readonly pid: number;
  readonly startedAt: number;
}

/** Params of each call (results: see RemoteRuntime and RemoteEdgeProxy, which name them). */
export interface PlaneCalls {
  'ping': Record<string, never>;
  'shutdown': Record<string, never>;
  'runtime.list': { readonly stack: StackName };
  'runtime.create': { readonly spec: InstanceSpec };
  'runtime.start': { readonly id: InstanceId };
  'runtime.stop': { readonly id: InstanceId; readonly how: { readonly signal: NodeJS.Signals; readonly graceMs: number } };
  'runtime.remove': { readonly id: InstanceId };
  'runtime.exec': { readonly id: InstanceId; readonly command: ExecCommand; readonly timeoutMs: number; readonly env?: Readonly<Record<string, string>> };
  'runtime.checkStack': { readonly stack: Stack };
  'runtime.useStack': { readonly stack: Stack };
  'runtime.stopOrphans': { readonly stack?: StackName };
  'runtime.serviceAddress': { readonly stack: string; readonly service: string };
  'runtime.publishedPorts': { readonly stack: string; readonly service: string };
  'proxy.start': { readonly options: PlaneProxyOptions };
  'proxy.attach': Record<string, never>;
  'proxy.applyStack': { readonly stack: Stack };
  'proxy.updateReplicas': { readonly replicas: readonly ProxyReplica[] };
  'proxy.inFlight': { readonly upstreams: readonly string[] };
  'proxy.close': Record<string, never>;
}

/** Params of each subscription. */
export interface PlaneStreams {
  'runtime.events': Record<string, never>;
  'runtime.logs': { readonly id: InstanceId; readonly options: Omit<LogOptions, 'signal'> };
  'proxy.records': Record<string, never>;
}

/** What `proxy.applyStack` answers. */
export interface ApplyStackResult {
  readonly warnings: readonly ProxyWarning[];
  readonly endpoints: ProxyEndpoints;
}
