/*
 * Keep-alive connections to upstream endpoints, on raw sockets. Each socket gets its listeners once, when it is
 * opened; they forward events to whichever exchange uses the connection now (`user`). Idle connections are kept
 * per endpoint, newest first (LIFO: warm sockets are reused, cold ones age out), and closed after an idle time.
 */
import net from 'node:net';

/** What an exchange hears from the connection it uses. */
export interface UpstreamUser {
  upstreamConnected(conn: UpstreamConnection): void;
  upstreamData(conn: UpstreamConnection, chunk: Buffer): void;
  upstreamEnded(conn: UpstreamConnection): void;
  upstreamClosed(conn: UpstreamConnection, error: NodeJS.ErrnoException | undefined): void;
  upstreamDrained(conn: UpstreamConnection): void;
}

export interface UpstreamConnectionsOptions {
  /** Idle connections kept per endpoint; default 256. */
  readonly maxIdlePerEndpoint?: number;
  /** Idle connections are closed after this; default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Opens a socket to an endpoint; default `net.connect` with Nagle off (tests replace it). */
  readonly connect?: (host: string, port: number) => net.Socket;
}

const connectTcp = (host: string, port: number): net.Socket => net.connect({ host, port, noDelay: true });

export class UpstreamConnection {
  user: UpstreamUser | undefined = undefined;
  /** Served a request before: a failure before any response byte may be a keep-alive race, not the upstream. */
  reused = false;
  connected = false;
  idleSince = 0;
  private error: NodeJS.ErrnoException | undefined;

  constructor(
    readonly socket: net.Socket,
    /** The endpoint key (`host:port`) the connection belongs to. */
    readonly key: string,
    private readonly owner: UpstreamConnections,
  ) {
    socket.on('connect', () => {
      this.connected = true;
      this.user?.upstreamConnected(this);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.user !== undefined) this.user.upstreamData(this, chunk);
      // Bytes on an idle connection: the upstream is out of step; never reuse it.
      else socket.destroy();
    });
    socket.on('end', () => {
      if (this.user !== undefined) this.user.upstreamEnded(this);
      else socket.destroy();
    });
    socket.on('drain', () => this.user?.upstreamDrained(this));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err;
    });
    socket.on('close', () => {
      this.owner.forget(this);
      const user = this.user;
      this.user = undefined;
      user?.upstreamClosed(this, this.error);
    });
  }

  get alive(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }
}

export class UpstreamConnections {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private readonly maxIdle: number;
  private readonly idleTimeoutMs: number;
  private readonly connect: (host: string, port: number) => net.Socket;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: UpstreamConnectionsOptions = {}) {
    this.maxIdle = options.maxIdlePerEndpoint ?? 256;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.connect = options.connect ?? connectTcp;
  }

  /** A connection for `user`: an idle one to the endpoint when there is one (unless `fresh`), else a new one. */
  get(host: string, port: number, key: string, user: UpstreamUser, fresh = false): UpstreamConnection {
    const list = fresh ? undefined : this.idle.get(key);
    if (list !== undefined) {
      let conn = list.pop();
      while (conn !== undefined && !conn.alive) conn = list.pop();
      if (conn !== undefined) {
        conn.user = user;
        return conn;
      }
    }
    const socket = this.connect(host, port);
    const conn = new UpstreamConnection(socket, key, this);
    conn.user = user;
    return conn;
  }

  /** Takes back a connection whose exchange ended cleanly at a message boundary. */
  release(conn: UpstreamConnection): void {
    conn.user = undefined;
    if (this.closed || !conn.alive) {
      conn.socket.destroy();
      return;
    }
    let list = this.idle.get(conn.key);
    if (list === undefined) {
      list = [];
      this.idle.set(conn.key, list);
    }
    if (list.length >= this.maxIdle) {
      conn.socket.destroy();
      return;
    }
    conn.reused = true;
    conn.idleSince = Date.now();
    list.push(conn);
    this.startSweeper();
  }

  /** Called by a connection when its socket closes. */
  forget(conn: UpstreamConnection): void {
    const list = this.idle.get(conn.key);
    if (list === undefined) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(conn.key);
  }

  /** Idle connections per endpoint key (for tests and metrics). */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }

  /** Closes idle connections and refuses to keep any from now on. */
  close(): void {
    this.closed = true;
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const list of [...this.idle.values()]) for (const conn of [...list]) conn.socket.destroy();
    this.idle.clear();
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    const every = Math.max(100, Math.min(5_000, Math.floor(this.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private sweep(): void {
    const oldest = Date.now() - this.idleTimeoutMs;
    for (const [key, list] of [...this.idle]) {
      // LIFO: the oldest connections are at the bottom of each stack.
      while (list.length > 0 && (list[0] as UpstreamConnection).idleSince <= oldest) list.shift()?.socket.destroy();
      if (list.length === 0) this.idle.delete(key);
    }
    if (this.idle.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
