import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../src/proxy/tls/test-certificates.js';
import { spawnBerth } from '../berth-cli.js';
import { freePort, hasPebble, startPebble, type PebbleServer } from '../support/pebble.js';
import { TestProject, waitFor } from '../support/stack-helpers.js';

/*
 * HTTPS through `berth up`: the daemon's edge proxy serves certificates from files and from an ACME CA (pebble,
 * validating HTTP-01 for real against the proxy's HTTP port), `berth ps` names the HTTPS port, and ACME
 * certificates are kept in the project's state so that a new daemon serves them without asking the CA again.
 */

if (!hasPebble && process.env.BERTH_REQUIRE_ORACLE) throw new Error('pebble is required in CI: apt-get install pebble');

/** A replica that answers `hello <Host>` on the port berth gives it. */
const SERVER = "require('http').createServer((q, s) => s.end('hello ' + q.headers.host)).listen(Number(process.env.PORT), process.env.HOST)";

function compose(host: string, tlsBlock: string | undefined): string {
  return [
    'services:',
    '  web:',
    '    expose: ["8000"]',
    '    x-berth:',
    `      routes: [{host: ${host}}]`,
    '      process:',
    `        command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(SERVER)}]`,
    ...(tlsBlock === undefined ? [] : ['x-berth:', `  tls: ${tlsBlock}`]),
    '',
  ].join('\n');
}

/**
 * Runs berth without blocking this process: the DNS server pebble asks lives here and must keep answering while
 * `berth up` runs (a blocked event loop makes pebble's lookup time out and the CA retry a minute later).
 */
async function run(project: TestProject, args: readonly string[], env?: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawnBerth(args, { cwd: project.dir, ...(env ? { env } : {}) });
  const { code } = await child.exited;
  return { status: code, ...child.output };
}

interface ProxyPorts { readonly http: number; readonly https?: number; readonly admin: number }

/** The ports in `berth ps`'s edge proxy line. */
async function proxyPorts(project: TestProject): Promise<ProxyPorts> {
  const ps = await run(project, ['ps']);
  expect(ps.status, ps.stderr).toBe(0);
  const line = /^edge proxy: http on port (\d+)(?:, https on port (\d+))?, metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics(?: \(\d+ worker processes\))?$/m.exec(ps.stdout);
  if (!line) throw new Error(`no edge proxy line in berth ps:\n${ps.stdout}`);
  return { http: Number(line[1]), ...(line[2] === undefined ? {} : { https: Number(line[2]) }), admin: Number(line[3]) };
}

interface Served { readonly status: number; readonly body: string; readonly serial: string; readonly authorized: boolean }

/** GET https://<host>/ through the proxy's HTTPS port with SNI, verified against `ca`. */
function getOverTls(port: number, host: string, ca: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, servername: host, headers: { host }, ca, agent: false, path: '/', timeout: 5_000 }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const serial = socket.getPeerCertificate().serialNumber.toLowerCase();
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial, authorized: socket.authorized }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let project: TestProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('berth up with certificate files', () => {
  it('serves HTTPS by SNI and shows its port in ps, logs uncovered hosts as TLS problems, keeps serving through a bad certificate file, and closes HTTPS when the stack drops tls', async () => {
    project = new TestProject();
    const shop = await makeTestCertificate(project.dir, { file: 'shop', names: ['shop.berth.test'] });
    const tlsBlock = '{certificates: [{cert: shop.crt, key: shop.key}]}';
    writeFileSync(path.join(project.dir, 'compose.yaml'), compose('[shop.berth.test, blog.berth.test]', tlsBlock));
    const up = project.run(['up', '-d', '--wait', '--http-port', '0', '--https-port', '0']);
    expect(up.status, up.stderr).toBe(0);
    // berth up says it too, not only the daemon log.
    expect(up.stdout + up.stderr).toMatch(/! x-berth\.tls: no TLS certificate for blog\.berth\.test/);

    const ports = await proxyPorts(project);
    expect(ports.https).toBeGreaterThan(0);
    const served = await waitFor('the replica behind HTTPS', async () => {
      const reply = await getOverTls(ports.https ?? 0, 'shop.berth.test', shop.cert);
      return reply.status === 200 && reply;
    });
    expect(served).toMatchObject({ body: 'hello shop.berth.test', authorized: true });
    // A host no certificate covers is logged as a TLS problem, naming the host and what to do.
    const warning = projectDaemonLog(project).split('\n').find((line) => line.includes('"TLS certificate problem"'));
    expect(warning).toContain('no TLS certificate for blog.berth.test');
    expect(warning).toContain('add a certificate file that names blog.berth.test, or turn on x-berth.tls.acme');

    // A certificate file that cannot be read fails up, says so, and the proxy keeps serving the old certificate.
    writeFileSync(path.join(project.dir, 'compose.yaml'), compose('shop.berth.test', '{certificates: [{cert: gone.crt, key: shop.key}]}'));
    const refused = project.run(['up', '-d']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot read the certificate file .*gone\.crt: ENOENT/);
    expect(refused.stderr).toContain('the edge proxy keeps serving its previous certificates and routes');
    expect((await getOverTls(ports.https ?? 0, 'shop.berth.test', shop.cert)).status).toBe(200);

    writeFileSync(path.join(project.dir, 'compose.yaml'), compose('shop.berth.test', undefined));
    const again = project.run(['up', '-d', '--wait']);
    expect(again.status, again.stderr).toBe(0);
    const after = await proxyPorts(project);
    expect(after).toEqual({ http: ports.http, admin: ports.admin });
    expect(await listening(ports.https ?? 0)).toBe(false);
  });
});

describe.skipIf(!hasPebble)('berth up with ACME (pebble; skipped only when pebble is not installed)', () => {
  const NAME = 'app.berth.test';
  let pebble: PebbleServer;
  let httpPort: number;
  let pebbleDir: string;

  beforeAll(async () => {
    pebbleDir = await mkdtemp(path.join(os.tmpdir(), 'berth-pebble-'));
    // pebble validates HTTP-01 on one fixed port: the proxy's HTTP port.
    httpPort = await freePort();
    pebble = await startPebble({ dir: pebbleDir, httpPort, resolves: (name) => name.endsWith('.berth.test') });
  });

  afterAll(async () => {
    await pebble?.close();
    if (pebbleDir) await rm(pebbleDir, { recursive: true, force: true });
  });

  it('gets a certificate for a routed host, serves it by SNI, keeps it in the project state and serves it again after a restart without asking the CA', async () => {
    project = new TestProject({ 'compose.yaml': compose(NAME, `{acme: {directory: "${pebble.directoryUrl}", email: ops@berth.test}}`) });
    // The daemon talks to pebble's API over HTTPS: trust pebble's own certificate, as one would a private CA's root.
    const env = { NODE_EXTRA_CA_CERTS: pebble.apiCertFile };
    const args = ['up', '-d', '--wait', '--http-port', String(httpPort), '--https-port', '0'];
    const up = await run(project, args, env);
    expect(up.status, up.stderr).toBe(0);

    const first = await waitFor('the ACME certificate to be served', async () => {
      const ports = await proxyPorts(project as TestProject);
      const reply = await getOverTls(ports.https ?? 0, NAME, pebble.root).catch(() => undefined);
      return reply?.status === 200 && reply;
    }, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\ndaemon log:\n${daemonLog()}\npebble:\n${pebble.output().slice(-3000)}`);
    });
    expect(first).toMatchObject({ body: `hello ${NAME}`, authorized: true });
    expect(pebble.issued()).toBe(1);
    expect(pebble.validations(NAME)).toBeGreaterThan(0);
    expect(pebble.dns.queries).toContain(`A ${NAME}`);
    const stored = path.join(project.dir, '.berth/tls/certificates', `${NAME}.pem`);
    expect(statSync(stored).mode & 0o777).toBe(0o600);

    expect((await run(project, ['down'])).status).toBe(0);
    const again = await run(project, args, env);
    expect(again.status, again.stderr).toBe(0);
    const ports = await proxyPorts(project);
    const second = await getOverTls(ports.https ?? 0, NAME, pebble.root); // at once: no waiting for a CA
    expect(second).toMatchObject({ status: 200, authorized: true, serial: first.serial });
    expect(pebble.issued()).toBe(1); // nothing was ordered again
    expect(daemonLog()).toContain('stored certificate served');
  });

  function daemonLog(): string {
    return project ? projectDaemonLog(project).slice(-4000) : '(no project)';
  }
});

/** The daemon's log and the data plane's (where the edge proxy, TLS and ACME log). */
function projectDaemonLog(project: TestProject): string {
  try {
    return ['daemon.log', 'plane.log'].map((file) => readFileSync(path.join(project.dir, '.berth', file), 'utf8')).join('');
  } catch {
    return '(no log)';
  }
}
