import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertStore } from './cert-store.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const CHAIN = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nISSUER\n-----END CERTIFICATE-----\n';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-certstore-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CertStore', () => {
  it('keeps a key with its whole chain in one file readable only by its owner, and reads them back', async () => {
    const store = new CertStore(path.join(dir, 'tls'));
    await store.writeCertificate('App.example.test', { key: KEY, cert: CHAIN });
    expect(await store.readCertificate('app.example.test')).toEqual({ key: KEY, cert: CHAIN });
    const file = store.certificateFile('app.example.test');
    expect(file).toBe(path.join(dir, 'tls', 'certificates', 'app.example.test.pem'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'tls'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('replaces a certificate atomically, leaving no temporary file behind', async () => {
    const store = new CertStore(dir);
    await store.writeCertificate('app.example.test', { key: KEY, cert: CHAIN });
    const renewed = CHAIN.replace('LEAF', 'RENEWED');
    await store.writeCertificate('app.example.test', { key: KEY, cert: renewed });
    expect((await store.readCertificate('app.example.test'))?.cert).toBe(renewed);
    expect(await readdir(path.join(dir, 'certificates'))).toEqual(['app.example.test.pem']);
  });

  it('reads nothing for an unknown name or a file without a key and a certificate', async () => {
    const store = new CertStore(dir);
    expect(await store.readCertificate('none.example.test')).toBeUndefined();
    await store.writeCertificate('half.example.test', { key: KEY, cert: CHAIN });
    await writeFile(store.certificateFile('half.example.test'), KEY);
    expect(await store.readCertificate('half.example.test')).toBeUndefined();
  });

  it('stores a wildcard under a file name without a star and refuses names that could escape the folder', async () => {
    const store = new CertStore(dir);
    expect(path.basename(store.certificateFile('*.example.test'))).toBe('_wildcard_.example.test.pem');
    expect(() => store.certificateFile('../etc/passwd')).toThrow('not a host name');
    expect(() => store.certificateFile('a..b')).toThrow('not a host name');
    expect(() => store.certificateFile('a/b')).toThrow('not a host name');
  });

  it('keeps one account per ACME directory, with its key and URL', async () => {
    const store = new CertStore(dir);
    const staging = 'https://acme-staging.example.test/directory';
    const production = 'https://acme.example.test/directory';
    await store.writeAccount({ directoryUrl: staging, key: KEY, url: 'https://acme-staging.example.test/acct/1' });
    expect(await store.readAccount(staging)).toEqual({ directoryUrl: staging, key: KEY, url: 'https://acme-staging.example.test/acct/1' });
    expect(await store.readAccount(production)).toBeUndefined();
    expect((await stat(store.accountFile(staging))).mode & 0o777).toBe(0o600);
  });
});
