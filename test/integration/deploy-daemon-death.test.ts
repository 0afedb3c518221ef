/*
 * The daemon (control plane) SIGKILLed in the middle of a deploy, under a bounded load through the edge proxy: the
 * data plane keeps every replica and the proxy serving, `berth ps` still shows the stack, and the next `berth up`
 * takes the replicas over and ends the half-done deploy on exactly one release, with no failed request throughout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployStack } from '../fixtures/deploy-stack/deploy-stack.js';
import { mixedRequests, startLoad, summarize } from '../support/load.js';

let stack: DeployStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function daemonPid(dir: string): number {
  return (JSON.parse(readFileSync(path.join(dir, '.berth/daemon.json'), 'utf8')) as { pid: number }).pid;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a daemon killed mid-deploy', () => {
  it('leaves the stack serving, and the next daemon ends the deploy on exactly one release', { timeout: 120_000 }, async () => {
    stack = await DeployStack.start({ env: { WATCH: '30s' } });
    const s = stack;
    const old = (await s.get('/')).release;
    const load = startLoad({ port: s.port, concurrency: 12, rate: 150, durationMs: 100_000, request: mixedRequests });
    try {
      await until(() => load.samples.length >= 50, 10_000, 'the load to start');
      const deploying = s.deploy(['app'], { APP_VERSION: '2' });
      // Killed during the watch window: traffic is on the new release, the old one on standby.
      await until(() => load.samples.some((x) => x.release !== undefined && x.release !== old), 30_000, 'the switch');
      process.kill(daemonPid(s.dir), 'SIGKILL');
      const cut = await deploying;
      expect(cut.status).not.toBe(0);
      expect(cut.stderr).toMatch(/the daemon stopped before the operation finished/);
      const during = load.samples.length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(load.samples.length - during).toBeGreaterThan(100);

      const ps = await s.run(['ps', '--format', 'json']);
      expect(ps.status).toBe(0);
      expect((JSON.parse(ps.stdout) as { service: string; status: string }[]).filter((r) => r.service === 'app' && r.status === 'running')).toHaveLength(4);

      const up = await s.run(['up', '-d', '--wait', '--http-port', String(s.port)]);
      expect(up.status, up.stderr).toBe(0);
      const replicas = (await s.ps()).filter((r) => r.service === 'app' && r.status === 'running');
      expect(new Set(replicas.map((r) => r.release)).size).toBe(1);
      expect(replicas.map((r) => r.release)).toEqual([old, old]);
      const releases = await s.releases();
      expect(releases.find((r) => r.status === 'interrupted')).toMatchObject({ reason: expect.stringMatching(/rolled back/) });
      await until(() => load.samples.slice(-20).every((x) => x.release === old), 10_000, 'the old release to serve alone');
    } finally {
      load.stop();
    }
    const summary = summarize(await load.done);
    expect(summary.failures, summary.firstFailures.join('\n')).toBe(0);
  });
});
