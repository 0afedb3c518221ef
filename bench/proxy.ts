/**
 * Throughput and added latency of berth's edge proxy beside nginx (1 worker), HAProxy (1 thread) and Caddy, all in
 * front of the same 2 node:http upstream replicas, and direct-to-upstream as the floor. Layout as in
 * /work/shared/bench/proxy/run.sh: wrk and both replicas pinned to CPU 0, the proxy under test to CPU 1 (taskset).
 * Each proxy: 1 s warm-up, then `wrk -t1 -c50 -d$DUR` (DUR default 3s). Prints req/s, p50/p99, the latency each
 * proxy adds over direct (p50, p99), ratios to direct and berth/nginx, berth/caddy, and berth's RSS under load.
 * Nothing is asserted. A peer whose binary is missing is skipped (CI installs nginx haproxy caddy wrk).
 * Run alone: `node --import tsx bench/proxy.ts`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const HERE = path.join(ROOT, 'bench/proxy');
const CPU_LOAD = process.env.CPU_LOAD ?? '0';
const CPU_PROXY = process.env.CPU_PROXY ?? '1';
const DUR = process.env.DUR ?? '3s';
const WARM = '1s';
const CONNS = 50;

type ProxyName = 'direct' | 'berth' | 'nginx-1w' | 'haproxy' | 'caddy';
const PROXIES: readonly ProxyName[] = ['direct', 'berth', 'nginx-1w', 'haproxy', 'caddy'];

interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  readonly errors: number;
  readonly total: number;
}

interface Row extends WrkResult {
  readonly name: ProxyName;
  readonly rssKb: number | undefined;
}

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function getOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitReady(port: number, child: ChildProcess | undefined, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child !== undefined && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await getOnce(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} not answering on port ${port} after 20 s`);
}

function render(template: string, out: string, vars: Record<string, string>): void {
  let text = readFileSync(path.join(HERE, template), 'utf8');
  for (const [key, value] of Object.entries(vars)) text = text.replaceAll(`@${key}@`, value);
  writeFileSync(out, text);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function pinned(cpus: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  child.on('exit', () => writeFileSync(logFile, Buffer.concat(err)));
  return child;
}

function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v);
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1_000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1_000 : n * 60_000;
}

function parseWrk(out: string): WrkResult {
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? Number.NaN);
  const total = Number(/^\s*(\d+) requests in/m.exec(out)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock === null ? 0 : [1, 2, 3, 4].reduce((s, i) => s + Number(sock[i]), 0);
  return { rps, p50Ms: ms(p50), p99Ms: ms(p99), errors: non2xx + sockErrors, total };
}

/** Runs wrk pinned to CPU_LOAD; while it runs, samples `rssOf` every 250 ms and keeps the largest value. */
async function wrk(port: number, duration: string, rssOf?: () => number | undefined): Promise<{ result: WrkResult; rssKb: number | undefined }> {
  const child = spawn('taskset', ['-c', CPU_LOAD, 'wrk', '-t1', `-c${CONNS}`, `-d${duration}`, '--latency', `http://127.0.0.1:${port}/`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => out.push(c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let rssKb: number | undefined;
  let done = false;
  const sampling = (async () => {
    while (!done && rssOf !== undefined) {
      await sleep(250);
      const rss = rssOf();
      if (rss !== undefined && (rssKb === undefined || rss > rssKb)) rssKb = rss;
    }
  })();
  const code = await exited;
  done = true;
  await sampling;
  const text = Buffer.concat(out).toString();
  if (code !== 0) throw new Error(`wrk failed (${code}):\n${text}`);
  return { result: parseWrk(text), rssKb };
}

function rssKbOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

async function startProxy(name: ProxyName, dir: string, upstreams: readonly number[]): Promise<{ port: number; child?: ChildProcess }> {
  const [u1 = 0, u2 = 0] = upstreams;
  if (name === 'direct') return { port: u1 };
  const port = await freePort();
  const vars = { DIR: dir, PORT: String(port), U1: String(u1), U2: String(u2), WORKERS: '1' };
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CONFIG_HOME: path.join(dir, 'xdg-config') };
  const log = path.join(dir, `${name}.log`);
  let child: ChildProcess;
  switch (name) {
    case 'berth':
      child = pinned(CPU_PROXY, process.execPath, ['--import', 'tsx', path.join(HERE, 'berth-proxy.ts')], {
        ...env,
        PORT: String(port),
        UPSTREAMS: `127.0.0.1:${u1},127.0.0.1:${u2}`,
      }, log);
      break;
    case 'nginx-1w': {
      const conf = path.join(dir, 'nginx.conf');
      render('nginx-proxy.conf.tmpl', conf, vars);
      child = pinned(CPU_PROXY, 'nginx', ['-p', dir, '-e', path.join(dir, 'nginx.err'), '-c', conf, '-g', 'daemon off;'], env, log);
      break;
    }
    case 'haproxy': {
      const conf = path.join(dir, 'haproxy.cfg');
      render('haproxy.cfg.tmpl', conf, vars);
      child = pinned(CPU_PROXY, 'haproxy', ['-db', '-f', conf], env, log);
      break;
    }
    case 'caddy': {
      const conf = path.join(dir, 'Caddyfile');
      render('Caddyfile.tmpl', conf, vars);
      child = pinned(CPU_PROXY, 'caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], env, log);
      break;
    }
  }
  await waitReady(port, child, name);
  return { port, child };
}

const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function printTable(rows: readonly Row[]): void {
  const direct = rows.find((r) => r.name === 'direct');
  console.log(`wrk -t1 -c${CONNS} -d${DUR} (after ${WARM} warm-up); upstreams + wrk on CPU ${CPU_LOAD}, proxy on CPU ${CPU_PROXY}`);
  console.log(
    ['proxy', 'req/s', 'vs direct', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'errors'].map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(9))).join(' '),
  );
  for (const r of rows) {
    const cells = [
      f(r.rps, 0),
      direct ? f(r.rps / direct.rps) : 'n/a',
      f(r.p50Ms, 3),
      f(r.p99Ms, 3),
      direct && r.name !== 'direct' ? f(r.p50Ms - direct.p50Ms, 3) : '-',
      direct && r.name !== 'direct' ? f(r.p99Ms - direct.p99Ms, 3) : '-',
      String(r.errors),
    ];
    console.log([r.name.padEnd(10), ...cells.map((c) => c.padStart(9))].join(' '));
  }
  const berth = rows.find((r) => r.name === 'berth');
  if (berth === undefined) return;
  for (const peer of ['nginx-1w', 'haproxy', 'caddy'] as const) {
    const p = rows.find((r) => r.name === peer);
    if (p === undefined || direct === undefined) continue;
    const added = (r: Row, k: 'p50Ms' | 'p99Ms'): number => r[k] - direct[k];
    console.log(
      `berth/${peer}: req/s ${f(berth.rps / p.rps)}, added p50 ${f(added(berth, 'p50Ms') / added(p, 'p50Ms'))}, added p99 ${f(added(berth, 'p99Ms') / added(p, 'p99Ms'))}`,
    );
  }
  console.log(`berth RSS under load: ${berth.rssKb === undefined ? 'n/a' : `${(berth.rssKb / 1024).toFixed(1)} MiB`}`);
}

export async function benchProxy(): Promise<void> {
  if (!has('wrk') || !has('taskset')) {
    console.log('skipped: wrk and taskset are needed (apt-get install wrk util-linux)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-proxy-'));
  chmodSync(dir, 0o755);
  const children: ChildProcess[] = [];
  try {
    const upstreams = [await freePort(), await freePort()];
    for (const p of upstreams) {
      const child = pinned(CPU_LOAD, process.execPath, ['--import', 'tsx', path.join(HERE, 'upstream.ts'), String(p)], process.env, path.join(dir, `upstream-${p}.log`));
      children.push(child);
      await waitReady(p, child, `upstream ${p}`);
    }
    const rows: Row[] = [];
    for (const name of PROXIES) {
      const bin = { direct: undefined, berth: undefined, 'nginx-1w': 'nginx', haproxy: 'haproxy', caddy: 'caddy' }[name];
      if (bin !== undefined && !has(bin)) {
        console.log(`${name}: skipped (${bin} not installed)`);
        continue;
      }
      const { port, child } = await startProxy(name, dir, upstreams);
      try {
        await wrk(port, WARM);
        const { result, rssKb } = await wrk(port, DUR, name === 'berth' ? () => rssKbOf(child?.pid) : undefined);
        rows.push({ name, ...result, rssKb });
      } finally {
        if (child !== undefined) await stop(child);
      }
    }
    printTable(rows);
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchProxy();
