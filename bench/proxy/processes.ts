/**
 * Process plumbing for the proxy bench: spawning pinned to CPUs, waiting for a port to answer, stopping, rendering
 * config templates, and reading RSS and CPU time of a process and its children from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `bin` is on the PATH. */
export function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
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

/** Waits (20 s at most) until `GET /` on the port answers 200; fails early if `child` exits. */
export async function waitReady(port: number, child: ChildProcess | undefined, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child !== undefined && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await getOnce(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} not answering on port ${port} after 20 s`);
}

/** Writes `template` (from `dir`) to `out` with each `@KEY@` replaced by its value. */
export function render(dir: string, template: string, out: string, vars: Readonly<Record<string, string>>): void {
  let text = readFileSync(path.join(dir, template), 'utf8');
  for (const [key, value] of Object.entries(vars)) text = text.replaceAll(`@${key}@`, value);
  writeFileSync(out, text);
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts `cmd` on the given CPUs (taskset); its stderr goes to `logFile` when it exits. */
export function pinned(cpus: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  child.on('exit', () => writeFileSync(logFile, Buffer.concat(err)));
  return child;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `pid` and its descendants (from /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    for (const child of (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(/\s+/)) {
      if (child !== '') out.push(...processTree(Number(child)));
    }
  }
  return out;
}

/** Resident set size of `pid` plus its descendants, in kB; undefined when `pid` is gone. */
export function treeRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let sum: number | undefined;
  for (const p of processTree(pid)) {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${p}/status`) ?? '');
    if (m !== null) sum = (sum ?? 0) + Number(m[1]);
  }
  return sum;
}

/** CPU time (user + system, clock ticks) of `pid` and each descendant, by pid. */
export function treeCpuTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of processTree(pid)) {
    const stat = read(`/proc/${p}/stat`);
    if (stat === undefined) continue;
    // Fields after the command (which may hold spaces), from field 3 on: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(p, Number(fields[11]) + Number(fields[12]));
  }
  return out;
}
