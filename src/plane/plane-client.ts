import type { PingResult } from './plane-protocol.js';
import type { PlanePaths } from './plane-paths.js';
import { RemoteEdgeProxy } from './remote-edge-proxy.js';
import { RemoteRuntime } from './remote-runtime.js';
import { RpcClient } from './rpc-client.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * A daemon's connection to the project's data plane: its runtime and its edge proxy. Closing it (or the daemon
 * dying) leaves the plane, its replicas and its proxy running; `shutdown()` stops the plane itself.
 */
export class PlaneClient {
  readonly runtime: RemoteRuntime;
  readonly proxy: RemoteEdgeProxy;

  private constructor(private readonly rpc: RpcClient, readonly info: PingResult) {
    this.runtime = new RemoteRuntime(rpc);
    this.proxy = new RemoteEdgeProxy(rpc);
  }

  /** Connects to the plane's socket and checks that it answers a ping (DAEMON_UNREACHABLE otherwise). */
  static async connect(paths: PlanePaths, socket = paths.socket, timeoutMs = 5_000): Promise<PlaneClient> {
    const rpc = await RpcClient.connect(socket, { logFile: paths.log, timeoutMs });
    try {
      const info = await rpc.call<PingResult>('ping', {}, AbortSignal.timeout(timeoutMs));
      return new PlaneClient(rpc, info);
    } catch (error) {
      await rpc.close();
      throw error;
    }
  }

  /** Whether the connection is still open. */
  get connected(): boolean {
    return this.rpc.connected;
  }

  /** Calls `listener` once when the connection to the plane is lost or closed. Returns unsubscribe. */
  onClose(listener: () => void): () => void {
    return this.rpc.onClose(listener);
  }

  ping(signal?: AbortSignal): Promise<PingResult> {
    return this.rpc.call<PingResult>('ping', {}, signal);
  }

  /**
   * Stops the plane: closes its proxy and runtime (replicas still running keep running: stop them first), removes
   * plane.json and its socket, and exits it. Resolves once the plane has closed the connection.
   */
  async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.rpc.onClose(resolve));
    await this.rpc.call('shutdown', {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, SHUTDOWN_DEADLINE_MS); })]);
    clearTimeout(timer);
    await this.rpc.close();
  }

  /** Closes the connection only: the plane keeps running. */
  close(): Promise<void> {
    return this.rpc.close();
  }
}
