import { generateKeyPair } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { Client, crypto as acmeCrypto, type Authorization } from 'acme-client';
import { BerthError } from '../../../errors.js';
import type { Clock } from '../../../health/clock.js';
import { silentLogger, type Logger } from '../../../log/logger.js';
import type { CertStore } from '../cert-store.js';
import { inspectCertificate, type CertificateFacts } from '../file-certificates.js';
import { certificateEntry, type SniCertificates } from '../sni.js';
import type { Http01Responder } from './http01-responder.js';
import { RenewalScheduler, type RenewalPolicy } from './renewal.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Per name: no certificate yet | getting the first one | serving one | renewing it | none and the last try failed. */
export type AcmeCertificateState = 'waiting' | 'issuing' | 'valid' | 'renewing' | 'failed';

export interface AcmeCertificateStatus {
  readonly state: AcmeCertificateState;
  readonly notAfter?: Date;
  readonly serial?: string;
  /** Why the last attempt failed; cleared by a success. */
  readonly lastError?: string;
  /** When the next attempt is due (ms since the epoch); absent while one runs. */
  readonly nextAttemptAt?: number;
}

/** Reported after every change: a stored certificate served again, a new one issued, an attempt failed. */
export type AcmeEvent =
  | { readonly kind: 'loaded' | 'issued'; readonly name: string; readonly serial: string; readonly notAfter: Date }
  | { readonly kind: 'failed'; readonly name: string; readonly error: string };

export interface AcmeManagerOptions {
  /** The CA's ACME directory, e.g. Let's Encrypt's `https://acme-v02.api.letsencrypt.org/directory`. */
  readonly directoryUrl: string;
  /** Contact address registered with the account (expiry notices). */
  readonly email?: string;
  readonly store: CertStore;
  /** Must be reachable by the CA as `http://<name>/.well-known/acme-challenge/…` (the proxy's HTTP port 80). */
  readonly responder: Http01Responder;
  readonly sni: SniCertificates;
  readonly renewal?: Partial<RenewalPolicy>;
  /** How acme-client polls a pending challenge or order (its defaults: 5 attempts, 5 s to 30 s apart). */
  readonly polling?: { readonly attempts?: number; readonly minMs?: number; readonly maxMs?: number };
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly onEvent?: (event: AcmeEvent) => void;
}

interface NameRecord {
  state: AcmeCertificateState;
  notAfter: Date | undefined;
  serial: string | undefined;
  lastError: string | undefined;
}

/**
 * Gets and renews certificates from an ACME CA by HTTP-01 for a set of host names, one certificate per name,
 * stored in a CertStore and served through SniCertificates (entry id `acme:<name>`). A valid stored certificate
 * is served again at start without asking the CA. Issuance and renewal run in the background and never hold up a
 * request: until a name has a certificate, handshakes for it get the default one. Does not do DNS-01, so no
 * wildcard names, and does not check that the name points at this machine before asking the CA.
 */
export class AcmeManager {
  private readonly records = new Map<string, NameRecord>();
  private readonly scheduler: RenewalScheduler;
  private readonly log: Logger;
  private client: Promise<Client> | undefined;
  private closed = false;

  constructor(private readonly options: AcmeManagerOptions) {
    this.log = (options.log ?? silentLogger).child({ component: 'acme' });
    this.scheduler = new RenewalScheduler({
      renew: (name, signal) => this.attempt(name, signal),
      ...(options.renewal ? { policy: options.renewal } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      log: this.log,
    });
  }

  /**
   * Manages exactly `names` from now on: serves each one's stored certificate if it is still valid, and schedules
   * issuance or renewal. Names no longer listed stop being renewed and leave the SNI table (their files stay).
   * Resolves once stored certificates are served, not when new ones are issued. SPEC_BERTH for a name HTTP-01
   * cannot validate (wildcards, IP addresses).
   */
  async manage(names: readonly string[]): Promise<void> {
    const wanted = [...new Set(names.map((name) => checkAcmeName(name)))];
    for (const name of [...this.records.keys()]) {
      if (wanted.includes(name)) continue;
      this.scheduler.untrack(name);
      this.records.delete(name);
      this.options.sni.update((table) => table.without(entryId(name)));
    }
    const added = wanted.filter((name) => !this.records.has(name));
    const records = added.map((name) => {
      const record: NameRecord = { state: 'waiting', notAfter: undefined, serial: undefined, lastError: undefined };
      this.records.set(name, record);
      return record;
    });
    // Read in parallel, serve in the order given (the first name's certificate is the default of an ACME-only table).
    const stored = await Promise.all(added.map((name) => this.readStored(name)));
    added.forEach((name, i) => this.adopt(name, records[i], stored[i]));
  }

  status(name: string): AcmeCertificateStatus | undefined {
    const record = this.records.get(name);
    if (!record) return undefined;
    const next = this.scheduler.nextAttemptAt(name);
    return {
      state: record.state,
      ...(record.notAfter ? { notAfter: record.notAfter } : {}),
      ...(record.serial ? { serial: record.serial } : {}),
      ...(record.lastError ? { lastError: record.lastError } : {}),
      ...(next === undefined ? {} : { nextAttemptAt: next }),
    };
  }

  /**
   * Stops all timers and abandons attempts in flight: a request to the CA already sent completes on its own, and
   * its result is dropped. Certificates stay served.
   */
  close(): void {
    this.closed = true;
    this.scheduler.close();
  }

  private adopt(name: string, record: NameRecord | undefined, facts: CertificateFacts | undefined): void {
    if (this.closed || record === undefined || this.records.get(name) !== record) return;
    if (facts) {
      this.install(name, facts);
      this.options.onEvent?.({ kind: 'loaded', name, serial: facts.serial, notAfter: facts.notAfter });
      this.log.info('stored certificate served', { name, serial: facts.serial, notAfter: facts.notAfter.toISOString() });
    }
    this.scheduler.track(name, facts?.notAfter);
  }

  /** The stored certificate when it is readable, matches its key, covers `name` and has not expired. */
  private async readStored(name: string): Promise<CertificateFacts | undefined> {
    try {
      const pair = await this.options.store.readCertificate(name);
      if (!pair) return undefined;
      const facts = inspectCertificate(pair, { label: this.options.store.certificateFile(name), now: new Date(this.now()) });
      if (facts.leaf.checkHost(name) === undefined) throw new Error(`it does not cover ${name}`);
      return facts;
    } catch (error) {
      this.log.warn('stored TLS certificate not usable: getting a new one from the ACME CA', { name, file: this.options.store.certificateFile(name), error: messageOf(error) });
      return undefined;
    }
  }

  private async attempt(name: string, signal: AbortSignal): Promise<Date> {
    const record = this.records.get(name);
    if (!record) throw new Error(`${name} is not managed`);
    const serving = record.notAfter !== undefined && record.notAfter.getTime() > this.now();
    record.state = serving ? 'renewing' : 'issuing';
    try {
      const facts = await this.issue(name, signal);
      // Abandoned (deadline, close) or no longer managed while the last step ran: do not serve it.
      if (signal.aborted || this.records.get(name) !== record) throw new Error(`the attempt for ${name} was abandoned`);
      record.lastError = undefined;
      this.install(name, facts);
      this.options.onEvent?.({ kind: 'issued', name, serial: facts.serial, notAfter: facts.notAfter });
      this.log.info('certificate issued', { name, serial: facts.serial, notAfter: facts.notAfter.toISOString() });
      return facts.notAfter;
    } catch (error) {
      const stillServing = record.notAfter !== undefined && record.notAfter.getTime() > this.now();
      record.state = stillServing ? 'valid' : 'failed';
      record.lastError = messageOf(error);
      if (!signal.aborted) this.options.onEvent?.({ kind: 'failed', name, error: record.lastError });
      throw error;
    }
  }

  /** One ACME order for `name`: answer its HTTP-01 challenge, finalize with a new P-256 key, store the result. */
  private async issue(name: string, signal: AbortSignal): Promise<CertificateFacts> {
    const client = await this.accountClient();
    signal.throwIfAborted();
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
    for (const authz of await client.getAuthorizations(order)) {
      signal.throwIfAborted();
      await this.authorize(client, authz);
    }
    const { privateKey } = await generateKeyPairAsync('ec', {
      namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const [, csr] = await acmeCrypto.createCsr({ commonName: name, altNames: [name] }, privateKey);
    signal.throwIfAborted();
    const finalized = await client.finalizeOrder(order, csr);
    const cert = await client.getCertificate(finalized);
    const pair = { key: privateKey, cert };
    const facts = inspectCertificate(pair, { label: `the certificate issued for ${name}`, now: new Date(this.now()) });
    signal.throwIfAborted();
    await this.options.store.writeCertificate(name, pair);
    return facts;
  }

  private async authorize(client: Client, authz: Authorization): Promise<void> {
    if (authz.status === 'valid') return; // the CA reused an earlier validation
    const challenge = authz.challenges.find((candidate) => candidate.type === 'http-01');
    if (!challenge) throw new Error(`the CA offers no http-01 challenge for ${authz.identifier.value}`);
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
    this.options.responder.set(challenge.token, keyAuthorization);
    try {
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
    } finally {
      this.options.responder.delete(challenge.token);
    }
  }

  /** The ACME client with our account, registered once and remembered in the store. */
  private accountClient(): Promise<Client> {
    this.client ??= this.register().catch((error: unknown) => {
      this.client = undefined; // try again at the next attempt
      throw error;
    });
    return this.client;
  }

  private async register(): Promise<Client> {
    const { directoryUrl, email, store, polling } = this.options;
    const stored = await store.readAccount(directoryUrl);
    const accountKey = stored?.key ?? (await acmeCrypto.createPrivateEcdsaKey()).toString();
    const client = new Client({
      directoryUrl, accountKey,
      ...(stored?.url ? { accountUrl: stored.url } : {}),
      ...(polling?.attempts === undefined ? {} : { backoffAttempts: polling.attempts }),
      ...(polling?.minMs === undefined ? {} : { backoffMin: polling.minMs }),
      ...(polling?.maxMs === undefined ? {} : { backoffMax: polling.maxMs }),
    });
    if (stored?.url) return client;
    if (!stored) await store.writeAccount({ directoryUrl, key: accountKey }); // keep the key even if registering fails
    await client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) });
    await store.writeAccount({ directoryUrl, key: accountKey, url: client.getAccountUrl() });
    this.log.info('ACME account registered', { directoryUrl });
    return client;
  }

  private install(name: string, facts: CertificateFacts): void {
    const record = this.records.get(name);
    if (record) Object.assign(record, { state: 'valid', notAfter: facts.notAfter, serial: facts.serial });
    const entry = certificateEntry({ id: entryId(name), source: 'acme', names: [name], pair: facts.pair, notAfter: facts.notAfter, serial: facts.serial });
    this.options.sni.update((table) => table.with(entry));
  }

  private now(): number {
    return this.options.clock?.now() ?? Date.now();
  }
}

function entryId(name: string): string {
  return `acme:${name}`;
}

/** A name HTTP-01 can validate, in canonical form; SPEC_BERTH otherwise. */
export function checkAcmeName(name: string): string {
  const canonical = (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
  if (canonical.includes('*')) {
    throw new BerthError('SPEC_BERTH', `no automatic certificate for ${name}: Let's Encrypt issues wildcard names only by DNS-01, which berth does not do`, {
      hint: 'give a certificate file for the wildcard in x-berth, or list the exact host names',
    });
  }
  if (isIP(canonical) !== 0 || canonical.startsWith('[') || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(canonical)) {
    throw new BerthError('SPEC_BERTH', `no automatic certificate for ${JSON.stringify(name)}: ACME needs a public DNS name like app.example.com`, {
      hint: 'use a DNS name that points at this machine, or give a certificate file',
    });
  }
  return canonical;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
