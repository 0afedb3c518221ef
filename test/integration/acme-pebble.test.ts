import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { axios as acmeAxios } from 'acme-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../src/health/test-helpers.js';
import { AcmeManager, type AcmeEvent, type AcmeManagerOptions } from '../../src/proxy/tls/acme/acme-manager.js';
import { Http01Responder } from '../../src/proxy/tls/acme/http01-responder.js';
import { CertStore } from '../../src/proxy/tls/cert-store.js';
import { EdgeTls } from '../../src/proxy/tls/edge-tls.js';
import { SniCertificates } from '../../src/proxy/tls/sni.js';
import { makeTestCertificate } from '../../src/proxy/tls/test-certificates.js';
import { freePort, getText, startDnsResponder, type DnsResponder } from '../support/pebble.js';

/*
 * ACME against a real CA: Let's Encrypt's test server pebble (Debian package `pebble`) runs as a child process on
 * 127.0.0.1 and validates every challenge for real (no PEBBLE_VA_ALWAYS_VALID): it looks the name up in a small
 * DNS server of this test (A 127.0.0.1 for *.berth.test) and fetches http://<name>:<port>/.well-known/… from the
 * responder below. Only the random sleeps before validation are off (PEBBLE_VA_NOSLEEP).
 */

const DAY = 86_400_000;
const VALIDITY_DAYS = 90;
const NAME = 'app.berth.test';
const UNRESOLVABLE = 'nowhere.berth.test';

let dir: string;
let pebble: ChildProcess | undefined;
let pebbleOutput = '';
let directoryUrl: string;
let pebbleRoot: string;
let dns: DnsResponder;
const responder = new Http01Responder();
/** The challenge listener asks each of these, as the proxy's HTTP listener asks its one responder. */
const responders = new Set([responder]);
const challengeRequests: string[] = [];
let challengeServer: http.Server;
let previousAgent: unknown;

const managers: { close(): void }[] = [];
const servers: https.Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-acme-'));
  dns = await startDnsResponder((name) => name.endsWith('.berth.test') && name !== UNRESOLVABLE);
  challengeServer = http.createServer((req, res) => {
    if ([...responders].some((r) => r.handle(req, res))) {
      challengeRequests.push(`${req.headers.host} ${req.url}`);
      return;
    }
    res.writeHead(404).end();
  });
  const httpPort = await listen(challengeServer);
  // pebble's own HTTPS certificate (the package ships none): trusted by this test's ACME client only.
  const api = await makeTestCertificate(dir, { file: 'pebble-api', names: ['localhost'], ip: ['127.0.0.1'], days: 2 });
  const { listenPort, managementPort } = await startPebble({ httpPort, certFile: api.certFile, keyFile: api.keyFile });
  directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
  previousAgent = acmeAxios.defaults.httpsAgent;
  acmeAxios.defaults.httpsAgent = new https.Agent({ ca: api.cert });
  pebbleRoot = await getText(`https://127.0.0.1:${managementPort}/roots/0`, api.cert);
});

/** Starts pebble on free ports; tries again with new ones if a port was taken between choosing and binding. */
async function startPebble(files: { httpPort: number; certFile: string; keyFile: string }): Promise<{ listenPort: number; managementPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const [listenPort, managementPort] = [await freePort(), await freePort()];
    const config = path.join(dir, 'pebble-config.json');
    await writeFile(config, JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listenPort}`, managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: files.certFile, privateKey: files.keyFile, httpPort: files.httpPort, tlsPort: await freePort(),
        ocspResponderURL: '', externalAccountBindingRequired: false, certificateValidityPeriod: VALIDITY_DAYS * DAY / 1000,
      },
    }));
    const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0' };
    delete env.PEBBLE_VA_ALWAYS_VALID; // validation must be real
    pebbleOutput = '';
    let failure: string | undefined;
    const child = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dns.port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    pebble = child;
    child.once('error', (error) => (failure = `pebble could not be started (${error.message}): install the Debian package \`pebble\``));
    child.once('exit', (code) => (failure ??= `pebble exited with ${code}:\n${pebbleOutput}`));
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (pebbleOutput += chunk.toString()));
    await waitFor(() => failure !== undefined || pebbleOutput.includes('ACME directory available'), 'pebble to listen', 30_000);
    if (failure === undefined) return { listenPort, managementPort };
    if (attempt >= 3 || !failure.includes('address already in use')) throw new Error(failure);
  }
}

afterEach(async () => {
  for (const manager of managers.splice(0)) manager.close();
  await Promise.all(servers.splice(0).map((server) => close(server)));
});

afterAll(async () => {
  acmeAxios.defaults.httpsAgent = previousAgent;
  if (pebble && pebble.exitCode === null) {
    const exit = new Promise((resolve) => pebble?.once('exit', resolve));
    pebble.kill('SIGTERM');
    await exit;
  }
  if (challengeServer) await close(challengeServer);
  await dns?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A manager on the shared store, its SNI table, and the events it reported. */
function startManager(options: Partial<AcmeManagerOptions> = {}): { manager: AcmeManager; sni: SniCertificates; events: AcmeEvent[] } {
  const events: AcmeEvent[] = [];
  const sni = new SniCertificates();
  const manager = new AcmeManager({
    directoryUrl, email: 'ops@berth.test', store: new CertStore(path.join(dir, 'state', 'tls')), responder, sni,
    polling: { attempts: 30, minMs: 100, maxMs: 1_000 }, onEvent: (event) => events.push(event), ...options,
  });
  managers.push(manager);
  return { manager, sni, events };
}

async function waitForEvent(events: AcmeEvent[], kind: AcmeEvent['kind'], name: string, count = 1): Promise<AcmeEvent> {
  await waitFor(() => events.filter((e) => e.kind === kind && e.name === name).length >= count || events.some((e) => e.kind === 'failed' && kind !== 'failed'),
    `${kind} event for ${name}`, 90_000);
  const failed = events.find((e) => e.kind === 'failed');
  if (kind !== 'failed' && failed?.kind === 'failed') throw new Error(`ACME failed: ${failed.error}\npebble:\n${pebbleOutput.slice(-3000)}`);
  return events.filter((e) => e.kind === kind && e.name === name)[count - 1] as AcmeEvent;
}

/** GET https://NAME/ through the server, verified against pebble's root; the served leaf's serial and the body. */
async function fetchOverTls(port: number): Promise<{ serial: string; body: string; authorized: boolean; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, servername: NAME, headers: { host: NAME }, ca: pebbleRoot, agent: false, path: '/' }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const peer = socket.getPeerCertificate();
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ serial: peer.serialNumber.toLowerCase(), body, authorized: socket.authorized, issuer: String(peer.issuer.CN) }));
    });
    req.on('error', reject);
  });
}

async function serveHttps(sni: SniCertificates): Promise<number> {
  const server = https.createServer(sni.serverOptions(), (_req, res) => res.end('hello over TLS'));
  sni.attach(server);
  servers.push(server);
  return listen(server);
}

describe('ACME HTTP-01 against pebble', () => {
  it('gets a certificate by real HTTP-01 validation, stores it 0600 and serves it by SNI with a chain to pebble\'s root', async () => {
    const { manager, sni, events } = startManager();
    await manager.manage([NAME]);
    expect(manager.status(NAME)?.state).toMatch(/^(waiting|issuing)$/); // issuance runs in the background
    const issued = await waitForEvent(events, 'issued', NAME);
    expect(dns.queries).toContain(`A ${NAME}`);
    expect(pebbleOutput).toContain(`Attempting to validate w/ HTTP: http://${NAME}:`);
    expect(challengeRequests.some((line) => line.startsWith(`${NAME}:`) && line.includes('/.well-known/acme-challenge/'))).toBe(true);
    expect(responder.size).toBe(0);
    const port = await serveHttps(sni);
    const served = await fetchOverTls(port);
    expect(served).toMatchObject({ authorized: true, body: 'hello over TLS' });
    expect(served.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(issued.kind === 'issued' && served.serial).toBe(issued.kind === 'issued' ? issued.serial : '');
    const status = manager.status(NAME);
    expect(status?.state).toBe('valid');
    expect(status?.notAfter?.getTime()).toBeGreaterThan(Date.now() + (VALIDITY_DAYS - 1) * DAY);
    const file = new CertStore(path.join(dir, 'state', 'tls')).certificateFile(NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reports a failure, and serves nothing for the name, when the CA cannot reach the name', async () => {
    const { manager, sni, events } = startManager({ renewal: { retryInitialMs: 3_600_000 } });
    await manager.manage([UNRESOLVABLE]);
    const failed = await waitForEvent(events, 'failed', UNRESOLVABLE);
    expect(failed.kind === 'failed' && failed.error).toMatch(/could not resolve URL "http:\/\/nowhere\.berth\.test:\d+\/\.well-known\/acme-challenge\//);
    expect(manager.status(UNRESOLVABLE)).toMatchObject({ state: 'failed', lastError: failed.kind === 'failed' ? failed.error : '' });
    expect(manager.status(UNRESOLVABLE)?.nextAttemptAt).toBeGreaterThan(Date.now() + 3_500_000); // retried later, with backoff
    expect(sni.table.select(UNRESOLVABLE)).toBeUndefined();
  });

  it('serves the stored certificate after a restart without asking the CA again', async () => {
    const first = startManager();
    await first.manager.manage([NAME]);
    const loaded = await waitForEvent(first.events, 'loaded', NAME);
    first.manager.close();
    const challengesBefore = challengeRequests.length;

    const { manager, sni, events } = startManager();
    await manager.manage([NAME]);
    expect(events).toEqual([loaded]); // served again at once from the store
    const port = await serveHttps(sni);
    expect((await fetchOverTls(port)).serial).toBe(loaded.kind === 'loaded' ? loaded.serial : '');
    const status = manager.status(NAME);
    expect(status?.state).toBe('valid');
    // The next attempt is 30 days before expiry, not now: nothing is re-issued.
    expect(status?.nextAttemptAt).toBe((status?.notAfter?.getTime() ?? 0) - 30 * DAY);
    expect(challengeRequests.length).toBe(challengesBefore);
  });

  it('renews a certificate that is near expiry in the background, serving the old one until the new one is ready', async () => {
    // "Near" is configurable: renewing 91 days before expiry makes a fresh 90-day certificate due at once.
    const { manager, sni, events } = startManager({ renewal: { renewBeforeMs: (VALIDITY_DAYS + 1) * DAY, minIntervalMs: DAY } });
    await manager.manage([NAME]);
    const loaded = events[0];
    expect(loaded?.kind).toBe('loaded');
    const old = loaded?.kind === 'loaded' ? loaded.serial : '';
    expect(sni.table.select(NAME)?.serial).toBe(old); // served at once; the renewal has not even started
    const port = await serveHttps(sni);
    const renewed = await waitForEvent(events, 'issued', NAME);
    const fresh = renewed.kind === 'issued' ? renewed.serial : '';
    expect(fresh).not.toBe(old);
    const served = await fetchOverTls(port);
    expect(served).toMatchObject({ serial: fresh, authorized: true });
    const stored = await new CertStore(path.join(dir, 'state', 'tls')).readCertificate(NAME);
    expect(new X509Certificate(stored?.cert ?? '').serialNumber.toLowerCase()).toBe(fresh);
    // The renewed certificate is due again under this policy; the minimum interval keeps it from looping.
    expect(manager.status(NAME)?.nextAttemptAt).toBeGreaterThan(Date.now() + DAY - 60_000);
  });
});

describe('EdgeTls against pebble', () => {
  it('serves a file certificate and an ACME certificate for route hosts on one HTTPS listener', async () => {
    const file = await makeTestCertificate(dir, { file: 'static', names: ['static.berth.test'] });
    const events: AcmeEvent[] = [];
    const edge = new EdgeTls({ stateDir: path.join(dir, 'edge-state'), onAcmeEvent: (e) => events.push(e), acmePolling: { attempts: 30, minMs: 100, maxMs: 1_000 } });
    managers.push(edge);
    responders.add(edge.responder);
    onTestFinished(() => void responders.delete(edge.responder));
    const warnings = await edge.update(
      { certificates: [{ cert: file.certFile, key: file.keyFile }], acme: { directoryUrl, email: 'ops@berth.test' } },
      ['static.berth.test', 'shop.berth.test', '*.wild.berth.test'],
    );
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('no automatic certificate for *.wild.berth.test')]);
    const port = await serveHttps(edge.sni);
    await waitForEvent(events, 'issued', 'shop.berth.test');
    expect(await peerNames(port, 'static.berth.test')).toBe('DNS:static.berth.test');
    expect(await peerNames(port, 'shop.berth.test')).toBe('DNS:shop.berth.test');
    expect(edge.acmeStatus('shop.berth.test')?.state).toBe('valid');
  });
});

/** The subjectAltName of the certificate served for `servername` (not verified: the file certificate is self-signed). */
function peerNames(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().subjectaltname ?? '');
      socket.end();
    });
    socket.once('error', reject);
  });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
