import { isIP } from 'node:net';
import { BerthError, type Warning } from '../../errors.js';
import type { Clock } from '../../health/clock.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { AcmeManager, checkAcmeName, type AcmeEvent } from './acme/acme-manager.js';
import { Http01Responder } from './acme/http01-responder.js';
import type { RenewalPolicy } from './acme/renewal.js';
import { CertStore } from './cert-store.js';
import { loadFileCertificates, type FileCertificateSpec } from './file-certificates.js';
import { CertificateTable, SniCertificates, type CertificateEntry } from './sni.js';

/** What the user asked for: certificates from files, and whether to get the others by ACME. */
export interface TlsSettings {
  /** Paths already absolute. */
  readonly certificates: readonly FileCertificateSpec[];
  /** Automatic certificates for route hosts no file certificate covers; absent = none. */
  readonly acme?: {
    readonly directoryUrl: string;
    readonly email?: string;
    readonly renewal?: Partial<RenewalPolicy>;
  };
}

export interface EdgeTlsOptions {
  /** Folder for ACME accounts and certificates, e.g. `<project>/.berth/tls`. */
  readonly stateDir: string;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly onAcmeEvent?: (event: AcmeEvent) => void;
  /** Tests: how acme-client polls the CA. */
  readonly acmePolling?: { readonly attempts?: number; readonly minMs?: number; readonly maxMs?: number };
}

/**
 * The proxy's certificates, composed: file certificates (checked, all errors at once), plus ACME certificates for
 * the route hosts they do not cover. The HTTPS listener uses `sni` (`sni.serverOptions()`, `sni.attach(server)`);
 * the HTTP listener calls `responder.handle(req, res)` before routing. `update` applies a new stack: everything is
 * loaded and checked before the swap, so a bad certificate file leaves the old table serving.
 */
export class EdgeTls {
  readonly sni = new SniCertificates();
  readonly responder = new Http01Responder();
  private acme: AcmeManager | undefined;
  private acmeKey = '';

  constructor(private readonly options: EdgeTlsOptions) {}

  /** Applies settings and the route hosts; returns warnings for hosts that will have no certificate of their own. */
  async update(settings: TlsSettings, hosts: readonly string[]): Promise<Warning[]> {
    const files = await loadFileCertificates(settings.certificates);
    const { names, warnings } = acmeNames(hosts, files, settings.acme !== undefined);
    this.sni.update((table) => {
      const acmeEntries = table.entries.filter((entry) => entry.source === 'acme');
      return CertificateTable.compile([...files, ...acmeEntries]);
    });
    this.configureAcme(settings.acme);
    await this.acme?.manage(names);
    return warnings;
  }

  /** Status of an ACME name, for `berth ps` and the API. */
  acmeStatus(name: string): ReturnType<AcmeManager['status']> {
    return this.acme?.status(name);
  }

  close(): void {
    this.acme?.close();
    this.acme = undefined;
  }

  private configureAcme(acme: TlsSettings['acme']): void {
    const key = acme === undefined ? '' : JSON.stringify(acme);
    if (key === this.acmeKey) return;
    this.acme?.close();
    this.acme = undefined;
    this.acmeKey = key;
    this.sni.update((table) => CertificateTable.compile(table.entries.filter((entry) => entry.source !== 'acme')));
    if (acme === undefined) return;
    const { stateDir, log, clock, onAcmeEvent, acmePolling } = this.options;
    this.acme = new AcmeManager({
      directoryUrl: acme.directoryUrl, store: new CertStore(stateDir), responder: this.responder, sni: this.sni,
      log: log ?? silentLogger,
      ...(acme.email ? { email: acme.email } : {}),
      ...(acme.renewal ? { renewal: acme.renewal } : {}),
      ...(clock ? { clock } : {}),
      ...(onAcmeEvent ? { onEvent: onAcmeEvent } : {}),
      ...(acmePolling ? { polling: acmePolling } : {}),
    });
  }
}

/** Route hosts that need an ACME certificate: exact DNS names no file certificate covers. */
export function acmeNames(hosts: readonly string[], files: readonly CertificateEntry[], acme: boolean): { names: string[]; warnings: Warning[] } {
  if (!acme && files.length === 0) return { names: [], warnings: [] }; // no HTTPS asked for
  const fileTable = CertificateTable.compile(files);
  const covered = (host: string): boolean => {
    const entry = fileTable.select(host);
    return entry !== undefined && (entry.names.includes(host) || entry.names.includes(`*${host.slice(host.indexOf('.'))}`));
  };
  const names: string[] = [];
  const warnings: Warning[] = [];
  for (const host of new Set(hosts.map((h) => h.toLowerCase()))) {
    if (host === '' || isIP(host) !== 0 || covered(host) || (host.startsWith('*.') && files.some((f) => f.names.includes(host)))) continue;
    if (!acme) {
      warnings.push({
        message: `no TLS certificate for ${host}: no certificate file names it and x-berth.tls.acme is off, so HTTPS clients of ${host} `
          + `get the default certificate (a name mismatch); add a certificate file that names ${host}, or turn on x-berth.tls.acme`,
        path: 'x-berth.tls',
      });
      continue;
    }
    try {
      names.push(checkAcmeName(host));
    } catch (error) {
      const hint = error instanceof BerthError && error.hint ? `; ${error.hint}` : '';
      warnings.push({ message: `${(error as Error).message} (HTTPS clients of ${host} get the default certificate)${hint}`, path: 'x-berth.tls' });
    }
  }
  return { names, warnings };
}
