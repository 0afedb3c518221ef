import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { BerthError } from '../../errors.js';
import { acmeNames, EdgeTls, type TlsSettings } from './edge-tls.js';
import { loadFileCertificate } from './file-certificates.js';
import { makeTestCertificate, type TestCertificate } from './test-certificates.js';

let dir: string;
let wildcard: TestCertificate;
let exact: TestCertificate;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-edge-tls-'));
  wildcard = await makeTestCertificate(dir, { file: 'wild', names: ['*.example.test'] });
  exact = await makeTestCertificate(dir, { file: 'exact', names: ['shop.test'] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ACME = { directoryUrl: 'https://127.0.0.1:1/directory' };

describe('acmeNames', () => {
  it('asks ACME only for exact DNS names that no file certificate covers', async () => {
    const files = [await loadFileCertificate({ cert: wildcard.certFile, key: wildcard.keyFile })];
    const { names, warnings } = acmeNames(['api.example.test', 'a.b.example.test', 'App.Other.test', '127.0.0.1', '*.example.test', '*.other.test', 'web'], files, true);
    expect(names).toEqual(['a.b.example.test', 'app.other.test']);
    expect(warnings.map((w) => w.message)).toEqual([
      "no automatic certificate for *.other.test: Let's Encrypt issues wildcard names only by DNS-01, which berth does not do "
        + '(HTTPS clients of *.other.test get the default certificate); give a certificate file for the wildcard in x-berth, or list the exact host names',
      'no automatic certificate for "web": ACME needs a public DNS name like app.example.com '
        + '(HTTPS clients of web get the default certificate); use a DNS name that points at this machine, or give a certificate file',
    ]);
  });

  it('warns about uncovered hosts when certificates come only from files, and says nothing when HTTPS is not used', async () => {
    const files = [await loadFileCertificate({ cert: exact.certFile, key: exact.keyFile })];
    expect(acmeNames(['shop.test', 'blog.test'], files, false)).toEqual({
      names: [], warnings: [{
        message: 'no TLS certificate for blog.test: no certificate file names it and x-berth.tls.acme is off, so HTTPS clients of blog.test '
          + 'get the default certificate (a name mismatch); add a certificate file that names blog.test, or turn on x-berth.tls.acme',
        path: 'x-berth.tls',
      }],
    });
    expect(acmeNames(['shop.test', 'blog.test'], [], false)).toEqual({ names: [], warnings: [] });
  });
});

describe('EdgeTls', () => {
  it('serves file certificates and manages ACME names for the other hosts', async () => {
    const tls = new EdgeTls({ stateDir: path.join(dir, 'state-1'), clock: new ManualClock(Date.now()) });
    const settings: TlsSettings = { certificates: [{ cert: exact.certFile, key: exact.keyFile }], acme: ACME };
    expect(await tls.update(settings, ['shop.test', 'app.example.test'])).toEqual([]);
    expect(tls.sni.table.select('shop.test')?.source).toBe('file');
    expect(tls.acmeStatus('app.example.test')?.state).toBe('waiting');
    expect(tls.acmeStatus('shop.test')).toBeUndefined();
    await tls.update({ certificates: settings.certificates }, ['shop.test', 'app.example.test']);
    expect(tls.acmeStatus('app.example.test')).toBeUndefined();
    tls.close();
  });

  it('keeps the old certificates serving when a new configuration has a bad file', async () => {
    const tls = new EdgeTls({ stateDir: path.join(dir, 'state-2') });
    await tls.update({ certificates: [{ cert: exact.certFile, key: exact.keyFile }] }, ['shop.test']);
    const before = tls.sni.table;
    const bad = tls.update({ certificates: [{ cert: exact.certFile, key: wildcard.keyFile, path: 'x-berth.tls.certificates[0]' }] }, ['shop.test']);
    await expect(bad).rejects.toBeInstanceOf(BerthError);
    await expect(bad).rejects.toMatchObject({ code: 'SPEC_BERTH', path: 'x-berth.tls.certificates[0]' });
    expect(tls.sni.table).toBe(before);
    tls.close();
  });
});
