import net from 'node:net';

export interface PortAllocatorOptions {
  readonly host?: string;
  /** How many recently handed-out ports are remembered and not handed out again. */
  readonly remember?: number;
}

/**
 * Free TCP ports on 127.0.0.1 for replicas: the kernel picks one (listen on port 0), we read it and close.
 * Ports in use by recorded replicas, and the last few thousand ports handed out, are never handed out again, so
 * that a port a stopped replica may still be closing (TIME_WAIT) or a sibling is about to bind is not reused.
 */
export class PortAllocator {
  private readonly host: string;
  private readonly remember: number;
  private readonly inUse = new Set<number>();
  private readonly recent: number[] = [];
  private readonly recentSet = new Set<number>();

  constructor(options: PortAllocatorOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.remember = options.remember ?? 4096;
  }

  /** Marks ports as held (replicas found in the durable state). */
  reserve(ports: Iterable<number>): void {
    for (const port of ports) this.inUse.add(port);
  }

  /** Gives ports back; they stay in the recent list for a while. */
  release(ports: Iterable<number>): void {
    for (const port of ports) {
      this.inUse.delete(port);
      this.remember_(port);
    }
  }

  /** `count` distinct free ports, held until released. */
  async allocate(count: number): Promise<number[]> {
    const servers: net.Server[] = [];
    const ports: number[] = [];
    try {
      // Keep each probe listening until all are found, so that the kernel cannot hand the same port out twice;
      // a port is marked held as soon as it is found, so that a concurrent allocation skips it.
      for (let attempts = 0; ports.length < count; attempts += 1) {
        if (attempts > count + 200) throw new Error(`no free port found on ${this.host} after ${attempts} attempts`);
        const server = await listenEphemeral(this.host);
        servers.push(server);
        const port = (server.address() as net.AddressInfo).port;
        if (this.inUse.has(port) || this.recentSet.has(port)) continue;
        this.inUse.add(port);
        this.remember_(port);
        ports.push(port);
      }
    } catch (error) {
      for (const port of ports) this.inUse.delete(port);
      throw error;
    } finally {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
    return ports;
  }

  private remember_(port: number): void {
    if (this.recentSet.has(port)) return;
    this.recent.push(port);
    this.recentSet.add(port);
    while (this.recent.length > this.remember) this.recentSet.delete(this.recent.shift() as number);
  }
}

function listenEphemeral(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}
