import { afterEach, describe, expect, it } from 'vitest';
import { TestProject, waitFor } from '../support/stack-helpers.js';

const node = process.execPath;
/** A service that runs a small node script as a local process. */
function service(script: string, extra = ''): string {
  return `    x-berth:\n      process:\n        command: [${JSON.stringify(node)}, "-e", ${JSON.stringify(script)}]\n${extra}`;
}
const LONG_RUNNING = "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";

let project: TestProject | undefined;
afterEach(() => project?.cleanup());

describe('restart policies (seed 001 table) on real processes', () => {
  it('restarts an always replica after kill -9 and an on-failure one too, counting restarts', async () => {
    project = new TestProject({
      'compose.yaml': `services:\n  always:\n${service(LONG_RUNNING)}    restart: always\n  onfail:\n${service(LONG_RUNNING)}    restart: on-failure\n`,
    });
    expect(project.run(['up', '-d']).status).toBe(0);
    for (const name of ['always', 'onfail']) {
      const before = await waitFor(`${name} running`, () => project?.replica(name)?.pid);
      process.kill(before, 'SIGKILL');
      const after = await waitFor(`${name} restarted`, () => {
        const r = project?.replica(name);
        return r && r.pid && r.pid !== before && r.status === 'running' ? r : undefined;
      });
      expect(after.restarts).toBe(1);
    }
  });

  it('gives up on-failure:3 after 3 restarts and ps says so', async () => {
    project = new TestProject({ 'compose.yaml': `services:\n  flaky:\n${service('process.exit(3)')}    restart: on-failure:3\n` });
    project.run(['up', '-d']);
    const gaveUp = await waitFor('flaky to give up', () => {
      const r = project?.replica('flaky');
      return r && r.status === 'failed' ? r : undefined;
    });
    expect(gaveUp.restarts).toBe(3);
    expect(project.run(['ps']).stdout).toMatch(/flaky-1\s+failed/);
  });

  it('does not restart an on-failure replica that exits 0', async () => {
    project = new TestProject({ 'compose.yaml': `services:\n  job:\n${service('process.exit(0)')}    restart: on-failure\n` });
    project.run(['up', '-d']);
    const done = await waitFor('job to exit', () => {
      const r = project?.replica('job');
      return r && r.status !== 'running' && r.status !== 'starting' && r.status !== 'created' ? r : undefined;
    });
    expect(done.restarts).toBe(0);
    expect(done.status).toMatch(/exited|completed/);
  });

  it('follows seed 001 for unless-stopped: a crash is restarted, a clean exit (code 0) is not', async () => {
    project = new TestProject({
      'compose.yaml': `services:\n  web:\n${service(LONG_RUNNING)}    restart: unless-stopped\n  once:\n${service("setTimeout(() => process.exit(0), 300)")}    restart: unless-stopped\n`,
    });
    project.run(['up', '-d']);
    const before = await waitFor('web running', () => project?.replica('web')?.pid);
    process.kill(before, 'SIGKILL');
    await waitFor('web restarted', () => { const r = project?.replica('web'); return r && r.pid && r.pid !== before && r.status === 'running' ? r : undefined; });
    const once = await waitFor('once to exit', () => { const r = project?.replica('once'); return r && r.status === 'exited' ? r : undefined; });
    expect(once.restarts).toBe(0);
  });

  it('keeps an unless-stopped replica stopped after berth stop', async () => {
    project = new TestProject({ 'compose.yaml': `services:\n  web:\n${service(LONG_RUNNING)}    restart: unless-stopped\n` });
    project.run(['up', '-d']);
    await waitFor('web running', () => project?.replica('web')?.status === 'running');
    expect(project.run(['stop', 'web']).status).toBe(0);
    const stopped = project.replica('web');
    expect(stopped?.status).toBe('stopped');
    expect(stopped?.restarts).toBe(0);
    expect(project.run(['start', 'web']).status).toBe(0);
    await waitFor('web running again', () => project?.replica('web')?.status === 'running');
  });
});
