import type tls from 'node:tls';
import { createCertificateContext, httpsServerOptions, tlsPolicyOptions, type KeyCertPair } from './tls-options.js';

/** Where a certificate came from: a file the user gave wins over one berth got by ACME for the same name. */
export type CertificateSource = 'file' | 'acme';

/** One certificate the proxy can serve, ready for handshakes. Plain readonly data. */
export interface CertificateEntry {
  /** Stable identity across reloads and renewals: `file:<cert path>` or `acme:<name>`. */
  readonly id: string;
  readonly source: CertificateSource;
  /** Lower-case host names it is served for: exact names and `*.example.com` wildcards (one label). */
  readonly names: readonly string[];
  readonly pair: KeyCertPair;
  readonly context: tls.SecureContext;
  readonly notAfter: Date;
  /** Hex serial number of the leaf, for logs and tests. */
  readonly serial: string;
}

/** Builds an entry (and its secure context with the proxy's TLS policy) from a checked pair. */
export function certificateEntry(fields: Omit<CertificateEntry, 'context'>): CertificateEntry {
  return Object.freeze({ ...fields, names: Object.freeze([...fields.names]), context: createCertificateContext(fields.pair) });
}

/**
 * An immutable index from server name to certificate, compiled once: exact name first, then the wildcard of the
 * parent domain (`*.example.com` serves `a.example.com`, not `a.b.example.com`, as TLS clients check), then the
 * default. Where two entries claim a name, a file certificate beats an ACME one, then the later expiry wins.
 */
export class CertificateTable {
  static readonly empty = new CertificateTable([], undefined);

  private readonly byName: ReadonlyMap<string, CertificateEntry>;

  private constructor(
    readonly entries: readonly CertificateEntry[],
    private readonly defaultId: string | undefined,
  ) {
    const byName = new Map<string, CertificateEntry>();
    for (const entry of entries) {
      for (const name of entry.names) {
        const held = byName.get(name);
        if (held === undefined || beats(entry, held)) byName.set(name, entry);
      }
    }
    this.byName = byName;
  }

  /** `defaultId` names the entry for unknown names and clients without SNI; absent = the first entry. */
  static compile(entries: readonly CertificateEntry[], options: { readonly defaultId?: string } = {}): CertificateTable {
    const ids = new Set<string>();
    for (const entry of entries) {
      if (ids.has(entry.id)) throw new Error(`two certificates with the id ${entry.id}`);
      ids.add(entry.id);
    }
    return new CertificateTable(Object.freeze([...entries]), options.defaultId);
  }

  /** The certificate served when no name matches (or the client sent none). */
  get defaultEntry(): CertificateEntry | undefined {
    if (this.defaultId !== undefined) {
      const chosen = this.entries.find((entry) => entry.id === this.defaultId);
      if (chosen) return chosen;
    }
    return this.entries[0];
  }

  /** The certificate for a client's server name (any case, trailing dot allowed); the default when none matches. */
  select(servername: string | undefined): CertificateEntry | undefined {
    if (servername === undefined || servername === '') return this.defaultEntry;
    const name = canonicalServerName(servername);
    const exact = this.byName.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wildcard = this.byName.get(`*${name.slice(dot)}`);
      if (wildcard) return wildcard;
    }
    return this.defaultEntry;
  }

  /** A new table with `entry` added, or replacing the entry with the same id in place. */
  with(entry: CertificateEntry): CertificateTable {
    const at = this.entries.findIndex((held) => held.id === entry.id);
    const entries = at < 0 ? [...this.entries, entry] : this.entries.map((held, i) => (i === at ? entry : held));
    return new CertificateTable(Object.freeze(entries), this.defaultId);
  }

  /** A new table without the entry with this id. */
  without(id: string): CertificateTable {
    return new CertificateTable(Object.freeze(this.entries.filter((entry) => entry.id !== id)), this.defaultId);
  }
}

function beats(candidate: CertificateEntry, held: CertificateEntry): boolean {
  if (candidate.source !== held.source) return candidate.source === 'file';
  return candidate.notAfter.getTime() > held.notAfter.getTime();
}

function canonicalServerName(servername: string): string {
  const trimmed = servername.endsWith('.') ? servername.slice(0, -1) : servername;
  return trimmed.toLowerCase();
}

type SniCallback = (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) => void;

/**
 * The certificates the HTTPS listener serves: one table reference, read once per handshake, swapped in one
 * assignment (a renewal or a reload never shows a handshake half a table). Handshakes already done keep the
 * context they got. Does not read files or talk to ACME: file-certificates.ts and acme/ build the entries.
 */
export class SniCertificates {
  private current: CertificateTable;
  private readonly servers = new Set<tls.Server>();

  constructor(initial: CertificateTable = CertificateTable.empty) {
    this.current = initial;
  }

  get table(): CertificateTable {
    return this.current;
  }

  /** Told every new table (proxy workers serve the same certificates). */
  onSwap: ((table: CertificateTable) => void) | undefined = undefined;

  /** Replaces the table; returns the previous one. Attached servers get the new default for clients without SNI. */
  swap(next: CertificateTable): CertificateTable {
    const previous = this.current;
    this.current = next;
    this.onSwap?.(next);
    const fallback = next.defaultEntry;
    if (fallback !== undefined && fallback !== previous.defaultEntry) {
      for (const server of this.servers) server.setSecureContext({ ...tlsPolicyOptions(), ...fallback.pair });
    }
    return previous;
  }

  /** Swaps in `change(current table)`; for one-entry updates (an ACME issuance, a renewal). */
  update(change: (table: CertificateTable) => CertificateTable): CertificateTable {
    return this.swap(change(this.current));
  }

  /** For `SNICallback`: no certificate for the name and no default fails the handshake with a clear error. */
  readonly callback: SniCallback = (servername, callback) => {
    const entry = this.current.select(servername);
    if (entry) callback(null, entry.context);
    else callback(new Error(`no TLS certificate for ${JSON.stringify(servername)}`));
  };

  /** `https.createServer` options that serve these certificates; pair with `attach(server)`. */
  serverOptions(): ReturnType<typeof httpsServerOptions> {
    return httpsServerOptions({ SNICallback: this.callback, fallback: this.current.defaultEntry?.pair });
  }

  /** Keeps `server`'s certificate for clients without SNI equal to the table's default; returns the detach. */
  attach(server: tls.Server): () => void {
    this.servers.add(server);
    return () => this.servers.delete(server);
  }
}
