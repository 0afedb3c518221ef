import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { certificateEntry, CertificateTable, SniCertificates, type CertificateEntry } from './sni.js';
import { makeTestCertificate, type TestCertificate } from './test-certificates.js';

let dir: string;
const made = new Map<string, TestCertificate>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-sni-'));
  for (const [file, names] of [['exact', ['api.example.test']], ['wild', ['*.example.test']], ['fallback', ['fallback.test']], ['other', ['api.example.test']]] as const) {
    made.set(file, await makeTestCertificate(dir, { file, names }));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(file: string, overrides: Partial<Omit<CertificateEntry, 'context'>> = {}): CertificateEntry {
  const cert = made.get(file);
  if (!cert) throw new Error(file);
  return certificateEntry({
    id: `file:${file}`, source: 'file', names: [], pair: { key: cert.key, cert: cert.cert },
    notAfter: new Date(Date.now() + 86_400_000), serial: file, ...overrides,
  });
}

describe('CertificateTable.select', () => {
  const table = (): CertificateTable => CertificateTable.compile([
    entry('fallback', { names: ['fallback.test'] }),
    entry('wild', { names: ['*.example.test'] }),
    entry('exact', { names: ['api.example.test'] }),
  ]);

  it('prefers the exact name, then the wildcard of the parent domain, then the default', () => {
    expect(table().select('api.example.test')?.id).toBe('file:exact');
    expect(table().select('www.example.test')?.id).toBe('file:wild');
    expect(table().select('example.test')?.id).toBe('file:fallback');
    expect(table().select('a.b.example.test')?.id).toBe('file:fallback'); // a wildcard covers one label, as clients check
    expect(table().select('unknown.test')?.id).toBe('file:fallback');
    expect(table().select(undefined)?.id).toBe('file:fallback');
  });

  it('ignores case and a trailing dot', () => {
    expect(table().select('API.Example.TEST.')?.id).toBe('file:exact');
    expect(table().select('WWW.example.test')?.id).toBe('file:wild');
  });

  it('uses the named default when given, and nothing for an empty table', () => {
    const withDefault = CertificateTable.compile(table().entries, { defaultId: 'file:wild' });
    expect(withDefault.select('unknown.test')?.id).toBe('file:wild');
    expect(CertificateTable.empty.select('api.example.test')).toBeUndefined();
  });

  it('lets a file certificate beat an ACME one for the same name, then the later expiry', () => {
    const soon = new Date(Date.now() + 3_600_000);
    const late = new Date(Date.now() + 7_200_000);
    const acme = entry('other', { id: 'acme:api.example.test', source: 'acme', names: ['api.example.test'], notAfter: late });
    const file = entry('exact', { names: ['api.example.test'], notAfter: soon });
    expect(CertificateTable.compile([acme, file]).select('api.example.test')?.id).toBe('file:exact');
    const older = entry('exact', { id: 'acme:old', source: 'acme', names: ['api.example.test'], notAfter: soon });
    expect(CertificateTable.compile([acme, older]).select('api.example.test')?.id).toBe('acme:api.example.test');
  });

  it('replaces an entry by id in place and removes one by id, leaving the original table unchanged', () => {
    const original = table();
    const replaced = original.with(entry('other', { id: 'file:exact', names: ['api.example.test'], serial: 'renewed' }));
    expect(replaced.select('api.example.test')?.serial).toBe('renewed');
    expect(replaced.entries.map((e) => e.id)).toEqual(['file:fallback', 'file:wild', 'file:exact']);
    expect(original.select('api.example.test')?.serial).toBe('exact');
    expect(original.without('file:exact').select('api.example.test')?.id).toBe('file:wild');
  });

  it('refuses two entries with one id', () => {
    expect(() => CertificateTable.compile([entry('exact'), entry('exact')])).toThrow('two certificates with the id file:exact');
  });
});

describe('SniCertificates over real TLS handshakes', () => {
  const servers: https.Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    })));
  });

  async function serve(sni: SniCertificates): Promise<number> {
    const server = https.createServer(sni.serverOptions(), (_req, res) => res.end('ok'));
    sni.attach(server);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Handshakes with `servername` (none when undefined) and returns the served leaf's subject names. */
  function handshake(port: number, servername: string | undefined, extra: tls.ConnectionOptions = {}): Promise<{ names: string; alpn: string | false | null; protocol: string | null }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...(servername ? { servername } : {}), ...extra }, () => {
        const result = { names: socket.getPeerCertificate().subjectaltname ?? '', alpn: socket.alpnProtocol, protocol: socket.getProtocol() };
        socket.end();
        resolve(result);
      });
      socket.once('error', reject);
    });
  }

  it('serves the certificate chosen by name, and the default to clients without SNI', async () => {
    const sni = new SniCertificates(CertificateTable.compile([
      entry('fallback', { names: ['fallback.test'] }), entry('wild', { names: ['*.example.test'] }), entry('exact', { names: ['api.example.test'] }),
    ]));
    const port = await serve(sni);
    expect((await handshake(port, 'api.example.test')).names).toBe('DNS:api.example.test');
    expect((await handshake(port, 'www.example.test')).names).toBe('DNS:*.example.test');
    expect((await handshake(port, 'nobody.test')).names).toBe('DNS:fallback.test');
    expect((await handshake(port, undefined)).names).toBe('DNS:fallback.test');
  });

  it('swaps certificates for new handshakes without restarting the listener, the no-SNI default included', async () => {
    const sni = new SniCertificates(CertificateTable.compile([entry('exact', { names: ['api.example.test'] })]));
    const port = await serve(sni);
    expect((await handshake(port, undefined)).names).toBe('DNS:api.example.test');
    sni.swap(CertificateTable.compile([entry('fallback', { names: ['fallback.test'] }), entry('wild', { names: ['*.example.test'] })]));
    expect((await handshake(port, 'api.example.test')).names).toBe('DNS:*.example.test');
    expect((await handshake(port, undefined)).names).toBe('DNS:fallback.test');
  });

  it('fails the handshake when there is no certificate at all', async () => {
    const port = await serve(new SniCertificates());
    await expect(handshake(port, 'api.example.test')).rejects.toThrow();
  });

  it('speaks TLS 1.2 and 1.3 with ALPN http/1.1 and refuses TLS 1.1', async () => {
    const port = await serve(new SniCertificates(CertificateTable.compile([entry('exact', { names: ['api.example.test'] })])));
    const modern = await handshake(port, 'api.example.test');
    expect(modern).toMatchObject({ alpn: 'http/1.1', protocol: 'TLSv1.3' });
    expect((await handshake(port, 'api.example.test', { maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
    await expect(handshake(port, 'api.example.test', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(/protocol version/);
  });
});
