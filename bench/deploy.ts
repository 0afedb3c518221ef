/**
 * `berth deploy` of the deploy-stack fixture's app (2 replicas behind the edge proxy, a migration job first) under
 * a bounded load of GETs and POSTs, for blue-green and rolling, beside seed 003's deploy.sh flow run with berth on
 * the same stack as the peer (`berth down`, `berth up -d --wait`, `sleep`; the script's build and git pull left
 * out). For each: time from the command's start to the first answer from the new release (switched), to the last
 * answer from the old one, and to the command's end (done); failed requests and the longest stretch without a
 * successful answer (downtime). Printed with ratios, never asserted.
 * Env: DEPLOYS (per strategy, default 3), RATE (req/s, default 200), PEER_SLEEP (s, default 30 as in deploy.sh),
 * PEER_RUNS (default 1), BERTH_CLI=dist to run bin/berth.js (default: from source through tsx, as the tests do).
 * Run alone: `node --import tsx bench/deploy.ts`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DeployStack, type CliMode } from '../test/fixtures/deploy-stack/deploy-stack.js';
import { mixedRequests, startLoad, type LoadSample, type RunningLoad } from '../test/support/load.js';
import { measureChange, medianChange, type Change } from './deploy/measure.js';

const DEPLOYS = Math.max(1, Number(process.env.DEPLOYS ?? 3) || 3);
const RATE = Math.max(1, Number(process.env.RATE ?? 200) || 200);
const PEER_SLEEP_S = Math.max(0, Number(process.env.PEER_SLEEP ?? 30));
const PEER_RUNS = Math.max(1, Number(process.env.PEER_RUNS ?? 1) || 1);
const CLI: CliMode = process.env.BERTH_CLI === 'dist' ? 'dist' : 'source';
/** Short watch and drain so that `done` measures berth's own work; the default watch is 60 s. */
const STACK_ENV = { WATCH: '1s', DRAIN_TIMEOUT: '2s' };

type Row = { readonly name: string; readonly change: Change; readonly runs: number; readonly inDaemonMs?: number };

/** The time of the last progress line (`  2.6s ✔ r7           deployed`): the deploy as berth timed it, without the CLI's start. */
function progressEndMs(stderr: string): number | undefined {
  const times = [...stderr.matchAll(/^\s*(\d+\.\d)s /gm)].map((m) => Number(m[1]) * 1000);
  return times.at(-1);
}

/** Deploys the app `DEPLOYS` times with `strategy` under load; one Change per deploy. */
async function benchStrategy(strategy: 'blue-green' | 'rolling'): Promise<{ changes: Change[]; inDaemonMs: number[] }> {
  const stack = await DeployStack.start({ env: { ...STACK_ENV, STRATEGY: strategy }, cli: CLI });
  const load = startLoad({ port: stack.port, concurrency: 16, rate: RATE, durationMs: 600_000, request: mixedRequests });
  try {
    await sleep(1000);
    const changes: Change[] = [];
    const inDaemonMs: number[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      const old = (await stack.get('/')).release;
      const run = await stack.deploy(['app'], { APP_VERSION: `${strategy}-${i + 2}` });
      if (run.status !== 0) throw new Error(`berth deploy (${strategy}) failed:\n${run.stderr}`);
      await sleep(1200);
      changes.push(measureChange(load.samples, { startedAt: run.startedAt, endedAt: run.endedAt, old }));
      inDaemonMs.push(progressEndMs(run.stderr) ?? Number.NaN);
    }
    return { changes, inDaemonMs };
  } finally {
    await stopLoad(load);
    await stack.close();
  }
}

/** Seed 003's deploy.sh with berth in place of docker-compose: down, up -d (here with --wait), sleep. */
async function benchPeer(): Promise<{ changes: Change[]; pausedMs: number }> {
  const stack = await DeployStack.start({ env: STACK_ENV, cli: CLI });
  const done: LoadSample[] = [];
  const loadOn = (): RunningLoad => startLoad({ port: stack.port, concurrency: 16, rate: RATE, durationMs: 600_000, request: mixedRequests });
  let load = loadOn();
  let pausedMs = 0;
  try {
    await sleep(1000);
    const changes: Change[] = [];
    for (let i = 0; i < PEER_RUNS; i++) {
      const old = (await stack.get('/')).release;
      const env = { APP_VERSION: `peer-${i + 2}` };
      const daemon = daemonPid(stack.dir);
      const down = await stack.run(['down'], env);
      if (down.status !== 0) throw new Error(`berth down failed:\n${down.stderr}`);
      if (!(await daemonGone(daemon, 5000))) {
        // The stopping daemon keeps accepting connections and answering 503 while clients come (see daemonGone):
        // pause the clients until it has exited, as an up would otherwise reach the dying daemon.
        const pausedAt = Date.now();
        done.push(...(await stopLoad(load)));
        if (!(await daemonGone(daemon, 30_000))) throw new Error(`the daemon (pid ${daemon}) still runs 30 s after berth down with no clients`);
        load = loadOn();
        pausedMs += Date.now() - pausedAt;
      }
      const up = await stack.run(['up', '-d', '--wait', '--http-port', String(stack.port)], env);
      if (up.status !== 0) throw new Error(`berth up failed:\n${up.stderr}`);
      await sleep(PEER_SLEEP_S * 1000);
      const endedAt = Date.now();
      await sleep(1200);
      changes.push(measureChange([...done, ...load.samples], { startedAt: down.startedAt, endedAt, old }));
    }
    return { changes, pausedMs };
  } finally {
    await stopLoad(load);
    await stack.close();
  }
}

/** The pid in .berth/daemon.json. */
function daemonPid(dir: string): number {
  return (JSON.parse(readFileSync(path.join(dir, '.berth/daemon.json'), 'utf8')) as { pid: number }).pid;
}

/**
 * Whether the daemon `pid` exited within `timeoutMs`. `berth down` returns while the daemon still runs: its proxy
 * keeps accepting connections and answering 503 for as long as clients come, and an `up` that reaches it fails
 * with "the edge proxy was closed before the stack was applied".
 */
async function daemonGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

async function stopLoad(load: RunningLoad): Promise<readonly LoadSample[]> {
  load.stop();
  return load.done;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

function print(rows: readonly Row[]): void {
  console.log(`deploy of the deploy-stack app (2 replicas, migration job first) under ${RATE} req/s GET+POST; watch 1s, drain 2s; berth CLI from ${CLI}`);
  console.log(`${'how'.padEnd(26)}${'runs'.padStart(5)}${'switched'.padStart(11)}${'last old'.padStart(11)}${'done'.padStart(11)}${'failed/total'.padStart(16)}${'downtime'.padStart(11)}${'berth says'.padStart(12)}`);
  for (const { name, change: c, runs, inDaemonMs } of rows) {
    console.log(`${name.padEnd(26)}${String(runs).padStart(5)}${seconds(c.switchedMs).padStart(11)}${seconds(c.lastOldMs).padStart(11)}${seconds(c.doneMs).padStart(11)}${`${c.failed}/${c.total}`.padStart(16)}${seconds(c.downtimeMs).padStart(11)}${seconds(inDaemonMs).padStart(12)}`);
  }
  console.log('  times from the command\'s start: median per change; failed/total: summed over the runs; downtime: longest stretch with');
  console.log('  no successful answer (a few tens of ms is the load\'s own spacing); berth says: the deploy\'s length in its progress lines');
  console.log('  (done minus berth says = the CLI\'s own start: loading the compose file, and tsx when run from source)');
  const peer = rows.find((r) => r.name.startsWith('deploy.sh'));
  for (const row of rows.filter((r) => r !== peer)) {
    if (!peer) break;
    const rate = (r: Row): number => r.change.failed / Math.max(1, r.change.total);
    console.log(`  ${row.name} vs the peer: done ${ratio(peer.change.doneMs, row.change.doneMs)} faster, downtime ${ratio(peer.change.downtimeMs, row.change.downtimeMs)} shorter, failure rate ${(rate(row) * 100).toFixed(2)}% vs ${(rate(peer) * 100).toFixed(2)}%`);
  }
}

function ratio(peer: number, ours: number): string {
  return ours <= 0 ? (peer <= 0 ? '1.00x' : '∞') : `${(peer / ours).toFixed(2)}x`;
}

export async function benchDeploy(): Promise<void> {
  const rows: Row[] = [];
  for (const strategy of ['blue-green', 'rolling'] as const) {
    const { changes, inDaemonMs } = await benchStrategy(strategy);
    const sorted = [...inDaemonMs].sort((a, b) => a - b);
    rows.push({ name: `berth deploy ${strategy}`, change: medianChange(changes), runs: changes.length, inDaemonMs: sorted[Math.floor((sorted.length - 1) / 2)] });
  }
  const peer = await benchPeer();
  rows.push({ name: `deploy.sh (sleep ${PEER_SLEEP_S}s)`, change: medianChange(peer.changes), runs: peer.changes.length });
  print(rows);
  if (peer.pausedMs > 0) {
    console.log(`  note: the peer's clients were paused ${seconds(peer.pausedMs)} after \`berth down\`: the stopping daemon kept answering 503 and would not exit while they came`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchDeploy();
