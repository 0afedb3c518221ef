import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { KeyCertPair } from './tls-options.js';

/** An ACME account: its key (PEM) and, once registered, its URL at the CA. */
export interface StoredAccount {
  readonly directoryUrl: string;
  readonly key: string;
  readonly url?: string;
}

const NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/;

/**
 * Durable storage for berth's TLS secrets under one folder (e.g. `.berth/tls`), mode 0700, files 0600:
 *
 *   accounts/<hash of the directory URL>.json   one ACME account per CA directory (staging ≠ production)
 *   certificates/<name>.pem                     the private key, then the certificate chain (leaf first)
 *
 * Every write is atomic (temp file, fsync, rename, fsync the folder), so a crash leaves the old file or the new
 * one, and a key is never separated from its certificate. It does not check what it stores (inspectCertificate
 * does) and is not safe for two writers of one name at once (one AcmeManager per folder).
 */
export class CertStore {
  private writes = 0;

  constructor(readonly dir: string) {}

  /** The stored key and chain for a host name; undefined when none is stored. */
  async readCertificate(name: string): Promise<KeyCertPair | undefined> {
    const text = await readIfExists(this.certificateFile(name));
    if (text === undefined) return undefined;
    const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----\n?/.exec(text)?.[0];
    const cert = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)?.join('');
    return key === undefined || cert === undefined ? undefined : { key, cert };
  }

  async writeCertificate(name: string, pair: KeyCertPair): Promise<void> {
    await this.writeAtomic(this.certificateFile(name), `${pair.key.trimEnd()}\n${pair.cert.trimEnd()}\n`);
  }

  async removeCertificate(name: string): Promise<void> {
    await rm(this.certificateFile(name), { force: true });
  }

  async readAccount(directoryUrl: string): Promise<StoredAccount | undefined> {
    const text = await readIfExists(this.accountFile(directoryUrl));
    if (text === undefined) return undefined;
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const account = value as Record<string, unknown>;
    if (account.directoryUrl !== directoryUrl || typeof account.key !== 'string') return undefined;
    return { directoryUrl, key: account.key, ...(typeof account.url === 'string' ? { url: account.url } : {}) };
  }

  async writeAccount(account: StoredAccount): Promise<void> {
    await this.writeAtomic(this.accountFile(account.directoryUrl), `${JSON.stringify(account, null, 1)}\n`);
  }

  /** `certificates/<name>.pem`; `*.example.com` is stored as `_wildcard_.example.com.pem`. */
  certificateFile(name: string): string {
    const lower = name.toLowerCase();
    if (!NAME.test(lower) || lower.includes('..')) throw new Error(`not a host name: ${JSON.stringify(name)}`);
    return path.join(this.dir, 'certificates', `${lower.replace(/^\*\./, '_wildcard_.')}.pem`);
  }

  accountFile(directoryUrl: string): string {
    const hash = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16);
    return path.join(this.dir, 'accounts', `${hash}.json`);
  }

  private async writeAtomic(file: string, text: string): Promise<void> {
    const dir = path.dirname(file);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${(this.writes += 1)}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
