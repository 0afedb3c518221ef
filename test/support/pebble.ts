/*
 * Test support: Let's Encrypt's test CA pebble (Debian package `pebble`) as a child process on 127.0.0.1, and a
 * tiny DNS server it asks, so that HTTP-01 validation is real: pebble resolves the name through the DNS server
 * (A 127.0.0.1 for the names it accepts) and fetches http://<name>:<httpPort>/.well-known/acme-challenge/….
 * Only pebble's random sleeps before validation are off (PEBBLE_VA_NOSLEEP).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { makeTestCertificate } from '../../src/proxy/tls/test-certificates.js';
import { waitFor } from './stack-helpers.js';

/** Whether the `pebble` program can be run here. */
export const hasPebble = spawnSync('pebble', ['-version'], { encoding: 'utf8' }).error === undefined;

export interface PebbleServer {
  /** The ACME directory URL, `https://127.0.0.1:N/dir`. */
  readonly directoryUrl: string;
  /** PEM of pebble's own HTTPS certificate (its API): trust it to talk ACME (NODE_EXTRA_CA_CERTS=apiCertFile). */
  readonly apiCert: string;
  readonly apiCertFile: string;
  /** PEM of the root that signs the certificates pebble issues: verify served certificates against it. */
  readonly root: string;
  /** Everything pebble printed so far. */
  output(): string;
  /** HTTP-01 fetches of a challenge for `name` so far (pebble validates from several perspectives per challenge). */
  validations(name: string): number;
  /** Certificates issued so far. */
  issued(): number;
  readonly dns: DnsResponder;
  close(): Promise<void>;
}

export interface PebbleOptions {
  /** A folder for pebble's config and its API certificate. */
  readonly dir: string;
  /** The port pebble validates HTTP-01 on: where the proxy (or responder) under test listens for plain HTTP. */
  readonly httpPort: number;
  /** Names the DNS server answers (A 127.0.0.1); NXDOMAIN for the others. */
  readonly resolves: (name: string) => boolean;
  /** Lifetime of issued certificates; default 90 days. */
  readonly validityDays?: number;
}

/** Starts a DNS responder and pebble on free ports (trying again if a port was taken meanwhile). */
export async function startPebble(options: PebbleOptions): Promise<PebbleServer> {
  const dns = await startDnsResponder(options.resolves);
  try {
    const api = await makeTestCertificate(options.dir, { file: 'pebble-api', names: ['localhost'], ip: ['127.0.0.1'], days: 2 });
    const started = await spawnPebble(options, dns.port, api);
    const root = await getText(`https://127.0.0.1:${started.managementPort}/roots/0`, api.cert);
    return {
      directoryUrl: `https://127.0.0.1:${started.listenPort}/dir`,
      apiCert: api.cert, apiCertFile: api.certFile, root, dns,
      output: () => started.output.text,
      validations: (name) => started.output.text.split(`Attempting to validate w/ HTTP: http://${name}:`).length - 1,
      issued: () => started.output.text.split('Issued certificate serial').length - 1,
      close: async () => {
        const child = started.child;
        if (child.exitCode === null && child.signalCode === null) {
          const exit = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exit;
        }
        await dns.close();
      },
    };
  } catch (error) {
    await dns.close();
    throw error;
  }
}

async function spawnPebble(options: PebbleOptions, dnsPort: number, api: { certFile: string; keyFile: string }): Promise<{
  child: ChildProcess; listenPort: number; managementPort: number; output: { text: string };
}> {
  for (let attempt = 1; ; attempt++) {
    const [listenPort, managementPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
    const config = path.join(options.dir, 'pebble-config.json');
    await writeFile(config, JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listenPort}`, managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: api.certFile, privateKey: api.keyFile, httpPort: options.httpPort, tlsPort,
        ocspResponderURL: '', externalAccountBindingRequired: false,
        certificateValidityPeriod: (options.validityDays ?? 90) * 86_400,
      },
    }));
    const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0' };
    delete env.PEBBLE_VA_ALWAYS_VALID; // validation must be real
    const output = { text: '' };
    let failure: string | undefined;
    const child = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (error) => (failure = `pebble could not be started (${error.message}): install the Debian package \`pebble\``));
    child.once('exit', (code) => (failure ??= `pebble exited with ${code}:\n${output.text}`));
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    await waitFor('pebble to listen', () => failure !== undefined || output.text.includes('ACME directory available'), 30_000);
    if (failure === undefined) return { child, listenPort, managementPort, output };
    if (attempt >= 3 || !failure.includes('address already in use')) throw new Error(failure);
  }
}

export interface DnsResponder {
  readonly port: number;
  /** `A app.berth.test`, `AAAA app.berth.test`, … in arrival order. */
  readonly queries: string[];
  close(): Promise<void>;
}

/** A DNS server on 127.0.0.1 (UDP, random port): A 127.0.0.1 for names `exists` accepts, NXDOMAIN otherwise. */
export async function startDnsResponder(exists: (name: string) => boolean): Promise<DnsResponder> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query, from) => {
    const question = readQuestion(query);
    if (!question) return;
    const type = question.type === 1 ? 'A' : question.type === 28 ? 'AAAA' : String(question.type);
    queries.push(`${type} ${question.name}`);
    const found = exists(question.name.toLowerCase());
    const answer = found && question.type === 1
      ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 127, 0, 0, 1]) // name pointer, A, IN, TTL 0, 127.0.0.1
      : Buffer.alloc(0);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // id
    const rd = query.readUInt16BE(2) & 0x0100;
    header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | (found ? 0 : 3), 2); // QR AA RD RA, NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer.length > 0 ? 1 : 0, 6);
    socket.send(Buffer.concat([header, query.subarray(12, question.end), answer]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function readQuestion(packet: Buffer): { name: string; type: number; end: number } | undefined {
  if (packet.length < 12 || packet.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < packet.length && packet[at] !== 0) {
    const length = packet[at] ?? 0;
    labels.push(packet.toString('ascii', at + 1, at + 1 + length));
    at += 1 + length;
  }
  if (at + 5 > packet.length) return undefined;
  return { name: labels.join('.'), type: packet.readUInt16BE(at + 1), end: at + 5 };
}

/** A port free right now (pebble takes its ports from a config file, not port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The body of a 200 answer to an https GET trusting `ca`; rejects with the status and body otherwise. */
export function getText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
    }).on('error', reject);
  });
}
