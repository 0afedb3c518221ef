/**
 * Throughput and added latency of berth's edge proxy beside nginx (1 worker), HAProxy (1 thread) and Caddy, all in
 * front of the same 2 upstream replicas, and direct-to-upstream as the floor. Layout as in
 * /work/shared/bench/proxy/run.sh: wrk and both replicas pinned to CPU 0, the proxy under test to CPU 1 (taskset).
 * - Upstream kinds (`UPSTREAM=node|nginx|both`, default both): node:http replicas (realistic), and nginx 1-worker
 *   replicas returning 100 bytes (the fastest there is: the proxy's raw speed on one core, it is the bottleneck).
 * - Per core: direct, berth, berth+obs (with the access log to a file and the metrics, as the daemon runs it),
 *   nginx-1w, haproxy, caddy.
 * - Every core (proxy unpinned, on both CPUs): berth-2w (2 worker processes; access log and metrics in the primary)
 *   vs nginx-auto (worker_processes auto); RSS summed over all processes of each proxy. The primary picks a worker
 *   by client address and wrk connects from 127.0.0.1 only, so the CPU time of each berth process is printed too.
 * Each proxy: 1 s warm-up, then `wrk -t1 -c50 -d$DUR` (DUR default 3s). `REPS` (default 1) repeats every row,
 * interleaved (order rotated each repetition), and prints medians. Prints req/s, p50/p99, the latency each proxy
 * adds over direct, RSS under load, and the lines the targets are judged by with PASS/FAIL — informational
 * only, nothing is asserted. A peer whose binary is missing is skipped (CI installs nginx haproxy caddy wrk).
 * berth's processes run compiled to JavaScript (as the daemon runs from dist/), without the TypeScript loader.
 * Run alone: `node --import tsx bench/proxy.ts`.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileForNode } from './proxy/compile.js';
import { freePort, has, pinned, render, stop, treeCpuTicks, treeRssKb, waitReady } from './proxy/processes.js';
import { medians, printEveryCore, printTable, printTargets, type Row } from './proxy/report.js';
import { runWrk } from './proxy/wrk.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const HERE = path.join(ROOT, 'bench/proxy');
const CPU_LOAD = process.env.CPU_LOAD ?? '0';
const CPU_PROXY = process.env.CPU_PROXY ?? '1';
const CPU_ALL = `${CPU_LOAD},${CPU_PROXY}`;
const DUR = process.env.DUR ?? '3s';
const REPS = Math.max(1, Number(process.env.REPS ?? 1) || 1);
const WARM = '1s';
const CONNS = 50;
const CLOCK_TICKS = 100;

type UpstreamKind = 'node' | 'nginx';
type ProxyName = 'direct' | 'berth' | 'berth+obs' | 'nginx-1w' | 'haproxy' | 'caddy' | 'berth-2w' | 'nginx-auto';
const PER_CORE: readonly ProxyName[] = ['direct', 'berth', 'berth+obs', 'nginx-1w', 'haproxy', 'caddy'];
const EVERY_CORE: readonly ProxyName[] = ['berth-2w', 'nginx-auto'];
const BINARY: Readonly<Record<ProxyName, string | undefined>> = {
  direct: undefined, berth: undefined, 'berth+obs': undefined, 'berth-2w': undefined,
  'nginx-1w': 'nginx', 'nginx-auto': 'nginx', haproxy: 'haproxy', caddy: 'caddy',
};

function upstreamKinds(): UpstreamKind[] {
  const wanted = process.env.UPSTREAM ?? 'both';
  if (wanted === 'node' || wanted === 'nginx') return [wanted];
  if (wanted !== 'both') console.log(`UPSTREAM=${wanted} unknown: running both (node|nginx|both)`);
  return ['node', 'nginx'];
}

/** The compiled entry points (see compile.ts), set once per run. */
interface Programs {
  readonly berthProxy: string;
  readonly upstream: string;
}

/** Starts the 2 replicas of a kind pinned to CPU_LOAD; returns their ports. */
async function startUpstreams(kind: UpstreamKind, dir: string, programs: Programs, children: ChildProcess[]): Promise<number[]> {
  const ports = [await freePort(), await freePort()];
  for (const p of ports) {
    const log = path.join(dir, `upstream-${p}.log`);
    let child: ChildProcess;
    if (kind === 'node') {
      child = pinned(CPU_LOAD, process.execPath, [programs.upstream, String(p)], process.env, log);
    } else {
      const conf = path.join(dir, `nginx-up-${p}.conf`);
      render(HERE, 'nginx-upstream.conf.tmpl', conf, { DIR: dir, PORT: String(p) });
      child = pinned(CPU_LOAD, 'nginx', ['-p', dir, '-e', path.join(dir, `nginx-up-${p}.err`), '-c', conf, '-g', 'daemon off;'], process.env, log);
    }
    children.push(child);
    await waitReady(p, child, `${kind} upstream ${p}`);
  }
  return ports;
}

async function startProxy(name: ProxyName, dir: string, programs: Programs, upstreams: readonly number[]): Promise<{ port: number; child?: ChildProcess }> {
  const [u1 = 0, u2 = 0] = upstreams;
  if (name === 'direct') return { port: u1 };
  const port = await freePort();
  const everyCore = EVERY_CORE.includes(name);
  const cpus = everyCore ? CPU_ALL : CPU_PROXY;
  const vars = { DIR: dir, PORT: String(port), U1: String(u1), U2: String(u2), WORKERS: name === 'nginx-auto' ? 'auto' : '1' };
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CONFIG_HOME: path.join(dir, 'xdg-config') };
  const log = path.join(dir, `${name}.log`);
  let child: ChildProcess;
  switch (name) {
    case 'berth':
    case 'berth+obs':
    case 'berth-2w':
      child = pinned(cpus, process.execPath, [programs.berthProxy], {
        ...env,
        PORT: String(port),
        UPSTREAMS: `127.0.0.1:${u1},127.0.0.1:${u2}`,
        OBS: name === 'berth' ? '0' : '1',
        ACCESS_LOG: path.join(dir, `access-${port}.log`),
        WORKERS: name === 'berth-2w' ? '2' : '0',
      }, log);
      break;
    case 'nginx-1w':
    case 'nginx-auto': {
      const conf = path.join(dir, `nginx-${port}.conf`);
      render(HERE, 'nginx-proxy.conf.tmpl', conf, vars);
      child = pinned(cpus, 'nginx', ['-p', dir, '-e', path.join(dir, `nginx-${port}.err`), '-c', conf, '-g', 'daemon off;'], env, log);
      break;
    }
    case 'haproxy': {
      const conf = path.join(dir, 'haproxy.cfg');
      render(HERE, 'haproxy.cfg.tmpl', conf, vars);
      child = pinned(cpus, 'haproxy', ['-db', '-f', conf], env, log);
      break;
    }
    case 'caddy': {
      const conf = path.join(dir, 'Caddyfile');
      render(HERE, 'Caddyfile.tmpl', conf, vars);
      child = pinned(cpus, 'caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], env, log);
      break;
    }
  }
  await waitReady(port, child, name);
  return { port, child };
}

/** One measured run of a proxy: start, warm up, measure (RSS of its process tree sampled), stop. */
async function measure(name: ProxyName, dir: string, programs: Programs, upstreams: readonly number[]): Promise<Row> {
  const { port, child } = await startProxy(name, dir, programs, upstreams);
  try {
    await runWrk({ port, duration: WARM, conns: CONNS, cpus: CPU_LOAD });
    const pid = child?.pid;
    const before = pid === undefined ? undefined : treeCpuTicks(pid);
    const rssOf = pid === undefined ? undefined : () => treeRssKb(pid);
    const { result, rssKb } = await runWrk({ port, duration: DUR, conns: CONNS, cpus: CPU_LOAD, ...(rssOf ? { rssOf } : {}) });
    let cpuSeconds: number[] | undefined;
    if (pid !== undefined && before !== undefined && name === 'berth-2w') {
      cpuSeconds = [...treeCpuTicks(pid)].map(([p, ticks]) => (ticks - (before.get(p) ?? 0)) / CLOCK_TICKS);
    }
    return { name, ...result, rssKb, ...(cpuSeconds === undefined ? {} : { cpuSeconds }) };
  } finally {
    if (child !== undefined) await stop(child);
  }
}

/** Every row of an upstream kind, REPS times interleaved (the order rotated each repetition). */
async function benchKind(kind: UpstreamKind, dir: string, programs: Programs): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const upstreams = await startUpstreams(kind, dir, programs, children);
    const names = [...PER_CORE, ...EVERY_CORE].filter((name) => {
      const bin = BINARY[name];
      if (bin === undefined || has(bin)) return true;
      console.log(`${name}: skipped (${bin} not installed)`);
      return false;
    });
    const runs: Row[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (let i = 0; i < names.length; i++) runs.push(await measure(names[(i + rep) % names.length] as ProxyName, dir, programs, upstreams));
    }
    const rows = medians(runs);
    const order = (list: readonly ProxyName[]): Row[] => list.flatMap((name) => rows.find((r) => r.name === name) ?? []);
    const reps = REPS > 1 ? `, medians of ${REPS} interleaved runs` : '';
    console.log(`\n-- ${kind} upstreams, per core: wrk -t1 -c${CONNS} -d${DUR} after ${WARM} warm-up${reps}; upstreams + wrk on CPU ${CPU_LOAD}, proxy on CPU ${CPU_PROXY}`);
    printTable(order(PER_CORE));
    console.log(`\n-- ${kind} upstreams, every core: proxy unpinned on CPUs ${CPU_ALL} (upstreams + wrk still on CPU ${CPU_LOAD})`);
    printEveryCore(order(EVERY_CORE));
    console.log(`\n-- ${kind} upstreams, targets (informational)`);
    printTargets(rows);
  } finally {
    for (const c of children) await stop(c);
  }
}

export async function benchProxy(): Promise<void> {
  if (!has('wrk') || !has('taskset')) {
    console.log('skipped: wrk and taskset are needed (apt-get install wrk util-linux)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-proxy-'));
  chmodSync(dir, 0o755);
  try {
    const [berthProxy = '', upstream = '', workerMain = ''] = compileForNode(
      ROOT,
      ['bench/proxy/berth-proxy.ts', 'bench/proxy/upstream.ts', 'src/proxy/workers/proxy-worker-main.ts'],
      path.join(dir, 'build'),
    );
    if (!existsSync(workerMain)) throw new Error(`compiling the proxy worker failed: ${workerMain} missing`);
    const programs: Programs = { berthProxy, upstream };
    for (const kind of upstreamKinds()) {
      if (kind === 'nginx' && !has('nginx')) {
        console.log('\n-- nginx upstreams: skipped (nginx not installed)');
        continue;
      }
      await benchKind(kind, dir, programs);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchProxy();
