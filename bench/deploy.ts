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
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DeployStack, type CliMode } from '../test/fixtures/deploy-stack/deploy-stack.js';
import { mixedRequests, startLoad, type RunningLoad } from '../test/support/load.js';
import { measureChange, medianChange, type Change } from './deploy/measure.js';

const DEPLOYS = Math.max(1, Number(process.env.DEPLOYS ?? 3) || 3);
const RATE = Math.max(1, Number(process.env.RATE ?? 200) || 200);
const PEER_SLEEP_S = Math.max(0, Number(process.env.PEER_SLEEP ?? 30));
const PEER_RUNS = Math.max(1, Number(process.env.PEER_RUNS ?? 1) || 1);
const CLI: CliMode = process.env.BERTH_CLI === 'dist' ? 'dist' : 'source';
/** Short watch and drain so that `done` measures berth's own work; the default watch is 60 s. */
const STACK_ENV = { WATCH: '1s', DRAIN_TIMEOUT: '2s' };

type Row = { readonly name: string; readonly change: Change; readonly runs: number };

/** Deploys the app `DEPLOYS` times with `strategy` under load; one Change per deploy. */
async function benchStrategy(strategy: 'blue-green' | 'rolling'): Promise<Change[]> {
  const stack = await DeployStack.start({ env: { ...STACK_ENV, STRATEGY: strategy }, cli: CLI });
  const load = startLoad({ port: stack.port, concurrency: 16, rate: RATE, durationMs: 600_000, request: mixedRequests });
  try {
    await sleep(1000);
    const changes: Change[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      const old = (await stack.get('/')).release;
      const run = await stack.deploy(['app'], { APP_VERSION: `${strategy}-${i + 2}` });
      if (run.status !== 0) throw new Error(`berth deploy (${strategy}) failed:\n${run.stderr}`);
      await sleep(1200);
      changes.push(measureChange(load.samples, { startedAt: run.startedAt, endedAt: run.endedAt, old }));
    }
    return changes;
  } finally {
    await stopLoad(load);
    await stack.close();
  }
}

/** Seed 003's deploy.sh with berth in place of docker-compose: down, up -d (here with --wait), sleep. */
async function benchPeer(): Promise<Change[]> {
  const stack = await DeployStack.start({ env: STACK_ENV, cli: CLI });
  const load = startLoad({ port: stack.port, concurrency: 16, rate: RATE, durationMs: 600_000, request: mixedRequests });
  try {
    await sleep(1000);
    const changes: Change[] = [];
    for (let i = 0; i < PEER_RUNS; i++) {
      const old = (await stack.get('/')).release;
      const env = { APP_VERSION: `peer-${i + 2}` };
      const down = await stack.run(['down'], env);
      if (down.status !== 0) throw new Error(`berth down failed:\n${down.stderr}`);
      const up = await stack.run(['up', '-d', '--wait', '--http-port', String(stack.port)], env);
      if (up.status !== 0) throw new Error(`berth up failed:\n${up.stderr}`);
      await sleep(PEER_SLEEP_S * 1000);
      const endedAt = Date.now();
      await sleep(1200);
      changes.push(measureChange(load.samples, { startedAt: down.startedAt, endedAt, old }));
    }
    return changes;
  } finally {
    await stopLoad(load);
    await stack.close();
  }
}

async function stopLoad(load: RunningLoad): Promise<void> {
  load.stop();
  await load.done;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

function print(rows: readonly Row[]): void {
  console.log(`deploy of the deploy-stack app (2 replicas, migration job first) under ${RATE} req/s GET+POST; watch 1s, drain 2s; berth CLI from ${CLI}`);
  console.log(`${'how'.padEnd(22)}${'runs'.padStart(5)}${'switched'.padStart(11)}${'last old'.padStart(11)}${'done'.padStart(11)}${'failed/total'.padStart(16)}${'downtime'.padStart(11)}`);
  for (const { name, change: c, runs } of rows) {
    console.log(`${name.padEnd(22)}${String(runs).padStart(5)}${seconds(c.switchedMs).padStart(11)}${seconds(c.lastOldMs).padStart(11)}${seconds(c.doneMs).padStart(11)}${`${c.failed}/${c.total}`.padStart(16)}${seconds(c.downtimeMs).padStart(11)}`);
  }
  console.log('  times: median per change; failed/total: summed over the runs; downtime: longest stretch with no successful answer');
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
    const changes = await benchStrategy(strategy);
    rows.push({ name: `berth deploy ${strategy}`, change: medianChange(changes), runs: changes.length });
  }
  const peer = await benchPeer();
  rows.push({ name: `deploy.sh (sleep ${PEER_SLEEP_S}s)`, change: medianChange(peer), runs: peer.length });
  print(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchDeploy();
