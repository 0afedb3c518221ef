import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { loadFileCertificate, loadFileCertificates } from './file-certificates.js';
import { makeTestCertificate, type TestCertificate } from './test-certificates.js';

let dir: string;
let site: TestCertificate;
let other: TestCertificate;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-filecert-'));
  site = await makeTestCertificate(dir, { file: 'site', names: ['example.test', '*.example.test'], days: 10 });
  other = await makeTestCertificate(dir, { file: 'other', names: ['other.test'] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<BerthError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(BerthError);
  return error as BerthError;
}

describe('loadFileCertificate', () => {
  it('serves every DNS name of the certificate when no hosts are given', async () => {
    const entry = await loadFileCertificate({ cert: site.certFile, key: site.keyFile });
    expect(entry.id).toBe(`file:${site.certFile}`);
    expect(entry.source).toBe('file');
    expect(entry.names).toEqual(['example.test', '*.example.test']);
    expect(entry.notAfter.getTime()).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    expect(entry.serial).toMatch(/^[0-9a-f]+$/);
  });

  it('serves only the hosts given, each covered by the certificate (wildcards included)', async () => {
    const entry = await loadFileCertificate({ cert: site.certFile, key: site.keyFile, hosts: ['API.example.test', '*.example.test'] });
    expect(entry.names).toEqual(['api.example.test', '*.example.test']);
  });

  it('names the hosts the certificate does not cover and what it covers', async () => {
    const error = await failure(loadFileCertificate({
      cert: site.certFile, key: site.keyFile, hosts: ['example.test', 'a.b.example.test', 'elsewhere.test'], path: 'x-berth.tls.certificates[0]',
    }));
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.path).toBe('x-berth.tls.certificates[0].hosts');
    expect(error.message).toBe(`the certificate in ${site.certFile} is not valid for a.b.example.test, elsewhere.test (it covers example.test, *.example.test)`);
  });

  it('reports a missing file with its path and the model path of the option', async () => {
    const missing = path.join(dir, 'nope.crt');
    const error = await failure(loadFileCertificate({ cert: missing, key: site.keyFile, path: 'x-berth.tls.certificates[1]' }));
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.path).toBe('x-berth.tls.certificates[1].cert');
    expect(error.message).toBe(`cannot read the certificate file ${missing}: ENOENT`);
    expect(error.hint).toContain('relative paths');
  });

  it('rejects a key that does not belong to the certificate', async () => {
    const error = await failure(loadFileCertificate({ cert: site.certFile, key: other.keyFile }));
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.message).toBe(`the key in ${other.keyFile} does not belong to the certificate in ${site.certFile}`);
    expect(error.hint).toContain('openssl x509 -noout -pubkey');
  });

  it('rejects an expired certificate with its expiry date', async () => {
    const error = await failure(loadFileCertificate({ cert: site.certFile, key: site.keyFile }, { now: new Date(Date.now() + 11 * 86_400_000) }));
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.message).toMatch(new RegExp(`^the certificate in ${escape(site.certFile)} expired on \\d{4}-\\d\\d-\\d\\dT`));
  });

  it('rejects a certificate that really expired yesterday', async () => {
    const old = await makeTestCertificate(dir, { file: 'old', names: ['old.test'], days: -1 });
    const error = await failure(loadFileCertificate({ cert: old.certFile, key: old.keyFile }));
    expect(error.message).toContain('expired on');
  });

  it('rejects a certificate that is not valid yet', async () => {
    const error = await failure(loadFileCertificate({ cert: site.certFile, key: site.keyFile }, { now: new Date(Date.now() - 86_400_000) }));
    expect(error.message).toContain('is not valid before');
  });

  it('rejects files that are not PEM, and encrypted keys', async () => {
    const junk = path.join(dir, 'junk.pem');
    await writeFile(junk, 'hello\n');
    expect((await failure(loadFileCertificate({ cert: junk, key: site.keyFile }))).message).toBe(`${junk} holds no PEM certificate`);
    expect((await failure(loadFileCertificate({ cert: site.certFile, key: junk }))).message).toBe(`${junk} holds no PEM private key`);
    const encrypted = path.join(dir, 'encrypted.key');
    await writeFile(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n');
    const error = await failure(loadFileCertificate({ cert: site.certFile, key: encrypted }));
    expect(error.message).toBe(`the private key in ${encrypted} is encrypted`);
    expect(error.hint).toContain('openssl pkey');
  });
});

describe('loadFileCertificates', () => {
  it('reports every bad certificate at once', async () => {
    const error = await failure(loadFileCertificates([
      { cert: site.certFile, key: site.keyFile },
      { cert: path.join(dir, 'a.crt'), key: site.keyFile },
      { cert: site.certFile, key: other.keyFile },
    ]));
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.issues.map((issue) => issue.code)).toEqual(['SPEC_BERTH', 'SPEC_BERTH']);
  });

  it('returns one entry per certificate when all are good', async () => {
    const entries = await loadFileCertificates([{ cert: site.certFile, key: site.keyFile }, { cert: other.certFile, key: other.keyFile }]);
    expect(entries.map((entry) => entry.names)).toEqual([['example.test', '*.example.test'], ['other.test']]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
