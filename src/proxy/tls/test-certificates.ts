import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate made for a test: files on disk and their PEM text. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes a P-256 key and a certificate for `names` with the openssl CLI (tests only): self-signed, or signed by
 * `issuer`. `days: -1` makes one that expired yesterday. `ca: true` makes a CA certificate to sign others with.
 * `ip` adds IP subjectAltNames.
 */
export async function makeTestCertificate(dir: string, options: {
  readonly file: string;
  readonly names: readonly string[];
  readonly ip?: readonly string[];
  readonly days?: number;
  readonly issuer?: TestCertificate;
  readonly ca?: boolean;
}): Promise<TestCertificate> {
  const base = path.join(dir, options.file);
  const keyFile = `${base}.key`;
  const certFile = `${base}.crt`;
  const csrFile = `${base}.csr`;
  const extFile = `${base}.ext`;
  const common = options.names[0] ?? options.ip?.[0] ?? 'test';
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-subj', `/CN=${common}`, '-out', csrFile]);
  const alt = [...options.names.map((name) => `DNS:${name}`), ...(options.ip ?? []).map((ip) => `IP:${ip}`)];
  const ext = [
    ...(alt.length > 0 ? [`subjectAltName=${alt.join(',')}`] : []),
    options.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE',
    ...(options.ca ? ['keyUsage=critical,keyCertSign,cRLSign'] : []),
  ];
  await writeFile(extFile, `${ext.join('\n')}\n`);
  const signer = options.issuer
    ? ['-CA', options.issuer.certFile, '-CAkey', options.issuer.keyFile, '-set_serial', String(randomSerial())]
    : ['-signkey', keyFile];
  await run('openssl', ['x509', '-req', '-in', csrFile, '-days', String(options.days ?? 30), '-extfile', extFile, ...signer, '-out', certFile]);
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certFile, keyFile, cert, key };
}

function randomSerial(): number {
  return 1 + Math.floor(Math.random() * 2 ** 40);
}
