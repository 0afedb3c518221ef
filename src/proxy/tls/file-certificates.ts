import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { aggregate, BerthError } from '../../errors.js';
import { certificateEntry, type CertificateEntry } from './sni.js';
import type { KeyCertPair } from './tls-options.js';

/** One certificate given by the user: PEM files (already absolute), and optionally the hosts it must serve. */
export interface FileCertificateSpec {
  /** Certificate chain, leaf first. */
  readonly cert: string;
  /** Unencrypted private key of the leaf. */
  readonly key: string;
  /** Hosts to serve it for; absent = every DNS name in the certificate. Each must be covered by the certificate. */
  readonly hosts?: readonly string[];
  /** Dotted model path for messages, e.g. `x-berth.tls.certificates[0]`. */
  readonly path?: string;
}

/** What a pair holds, once checked. */
export interface CertificateFacts {
  readonly pair: KeyCertPair;
  /** DNS names in the leaf (subjectAltName, or the CN when it has none), lower case. */
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serial: string;
  readonly leaf: X509Certificate;
}

/**
 * Reads and checks one certificate/key pair from files: both readable and PEM, the key belongs to the leaf, the
 * leaf is valid at `now`, and it covers every host asked for. Each problem is a SPEC_BERTH BerthError that names
 * the file and says what to do.
 */
export async function loadFileCertificate(spec: FileCertificateSpec, options: { readonly now?: Date } = {}): Promise<CertificateEntry> {
  // Both read at once; when both fail, the certificate's error is the one reported (the same one every time).
  const [certRead, keyRead] = await Promise.allSettled([readPem(spec, 'cert'), readPem(spec, 'key')]);
  if (certRead.status === 'rejected') throw certRead.reason;
  if (keyRead.status === 'rejected') throw keyRead.reason;
  const [cert, key] = [certRead.value, keyRead.value];
  const facts = inspectCertificate({ key, cert }, { label: spec.cert, keyLabel: spec.key, path: spec.path, now: options.now });
  const names = spec.hosts === undefined ? facts.dnsNames : checkHosts(facts, spec);
  return certificateEntry({ id: `file:${spec.cert}`, source: 'file', names, pair: facts.pair, notAfter: facts.notAfter, serial: facts.serial });
}

/** Loads every spec; all problems are reported together (one BerthError, or SPEC_INVALID with the list). */
export async function loadFileCertificates(specs: readonly FileCertificateSpec[], options: { readonly now?: Date } = {}): Promise<CertificateEntry[]> {
  const results = await Promise.allSettled(specs.map((spec) => loadFileCertificate(spec, options)));
  const problems = results.flatMap((result) => (result.status === 'rejected' ? [asBerthError(result.reason)] : []));
  if (problems.length > 0) throw aggregate(problems);
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/**
 * Checks a PEM pair (from files or from berth's own store): parses the chain and the key, checks they match and
 * that the leaf is valid at `now`. `label` names the certificate in messages.
 */
export function inspectCertificate(pair: KeyCertPair, where: {
  readonly label: string;
  readonly keyLabel?: string;
  readonly path?: string | undefined;
  readonly now?: Date | undefined;
}): CertificateFacts {
  const fail = (message: string, hint: string, cause?: unknown): BerthError =>
    new BerthError('SPEC_BERTH', message, { hint, ...(where.path ? { path: where.path } : {}), ...(cause === undefined ? {} : { cause }) });
  const keyLabel = where.keyLabel ?? where.label;
  const leafPem = firstCertificate(pair.cert);
  if (leafPem === undefined) {
    throw fail(`${where.label} holds no PEM certificate`, 'give the certificate chain in PEM form, starting with -----BEGIN CERTIFICATE-----');
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (error) {
    throw fail(`${where.label} holds a certificate that cannot be parsed: ${(error as Error).message}`, 'check that the file is a PEM certificate and not truncated', error);
  }
  const key = parseKey(pair.key, keyLabel, fail);
  if (!leaf.checkPrivateKey(key)) {
    throw fail(`the key in ${keyLabel} does not belong to the certificate in ${where.label}`,
      `give the key the certificate was issued for; compare \`openssl x509 -noout -pubkey -in ${where.label}\` with \`openssl pkey -pubout -in ${keyLabel}\``);
  }
  const now = where.now ?? new Date();
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw fail(`the certificate in ${where.label} expired on ${notAfter.toISOString()}`,
      'renew it and replace the file, or remove it from x-berth to let berth get one by ACME');
  }
  if (notBefore.getTime() > now.getTime()) {
    throw fail(`the certificate in ${where.label} is not valid before ${notBefore.toISOString()}`, 'check the clock of this machine, or use a certificate that is valid now');
  }
  return { pair, dnsNames: dnsNamesOf(leaf), notBefore, notAfter, serial: leaf.serialNumber.toLowerCase(), leaf };
}

function checkHosts(facts: CertificateFacts, spec: FileCertificateSpec): string[] {
  const hosts = (spec.hosts ?? []).map((host) => host.toLowerCase());
  const uncovered = hosts.filter((host) => (host.startsWith('*.') ? !facts.dnsNames.includes(host) : facts.leaf.checkHost(host) === undefined));
  if (uncovered.length > 0) {
    throw new BerthError('SPEC_BERTH', `the certificate in ${spec.cert} is not valid for ${uncovered.join(', ')} (it covers ${facts.dnsNames.join(', ') || 'no DNS name'})`, {
      hint: 'list only hosts the certificate names, or get a certificate that names them',
      ...(spec.path ? { path: `${spec.path}.hosts` } : {}),
    });
  }
  return hosts;
}

async function readPem(spec: FileCertificateSpec, which: 'cert' | 'key'): Promise<string> {
  const file = spec[which];
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const what = which === 'cert' ? 'certificate' : 'private key';
    throw new BerthError('SPEC_BERTH', `cannot read the ${what} file ${file}: ${code}`, {
      hint: code === 'EACCES' ? `let the user running berth read ${file}` : 'check the path (relative paths are relative to the compose file)',
      ...(spec.path ? { path: `${spec.path}.${which}` } : {}),
      cause: error,
    });
  }
}

function parseKey(pem: string, label: string, fail: (message: string, hint: string, cause?: unknown) => BerthError): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw fail(`the private key in ${label} is encrypted`, `berth needs it unencrypted: \`openssl pkey -in ${label} -out plain.key\`, then keep plain.key readable only by berth`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw fail(`${label} holds no PEM private key`, 'give the private key in PEM form, starting with -----BEGIN PRIVATE KEY-----');
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw fail(`the private key in ${label} cannot be parsed: ${(error as Error).message}`, 'check that the file is a PEM private key and not truncated', error);
  }
}

/** The first PEM certificate block of a chain. */
export function firstCertificate(chain: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chain)?.[0];
}

function dnsNamesOf(leaf: X509Certificate): string[] {
  const alt = leaf.subjectAltName;
  if (alt) {
    return alt.split(/,\s*/).filter((part) => part.startsWith('DNS:')).map((part) => part.slice(4).toLowerCase());
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

function asBerthError(reason: unknown): BerthError {
  return reason instanceof BerthError ? reason : new BerthError('SPEC_BERTH', String(reason), { cause: reason });
}
