import { afterEach, describe, expect, it } from 'vitest';
import { type BerthChild, spawnBerth } from '../berth-cli.js';
import { TestProject, waitFor } from '../support/stack-helpers.js';

const node = JSON.stringify(process.execPath);
const WEB = `  web:\n    x-berth:\n      process:\n        command: [${node}, "-e", "console.log('hello from web'); setInterval(() => {}, 1000)"]\n`;

let project: TestProject | undefined;
let attached: BerthChild | undefined;
afterEach(async () => {
  if (attached && attached.child.exitCode === null && attached.child.signalCode === null) {
    attached.child.kill('SIGKILL');
    await attached.exited;
  }
  attached = undefined;
  project?.cleanup();
});

describe('an attached berth up', () => {
  it('shows what replicas printed while starting, and stops the stack on Ctrl-C with status 130', async () => {
    project = new TestProject({ 'compose.yaml': `services:\n${WEB}` });
    const up = spawnBerth(['up'], { cwd: project.dir });
    attached = up;
    await waitFor('the line web printed at start', () => up.output.stdout.includes('hello from web'));
    up.child.kill('SIGINT');
    expect(await up.exited).toEqual({ code: 130, signal: null });
    expect(up.output.stdout).toMatch(/^web-1 +\| hello from web$/m);
    expect(up.output.stderr).toContain('stopping…');
    expect(project.replica('web')?.status).toBe('stopped');
  });

  it('stops what it started when Ctrl-C comes while it still waits on a dependency', async () => {
    const db = `  db:\n    x-berth:\n      process:\n        command: [${node}, "-e", "setInterval(() => {}, 1000)"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n`;
    project = new TestProject({ 'compose.yaml': `services:\n${db}${WEB}    depends_on:\n      db:\n        condition: service_healthy\n` });
    const up = spawnBerth(['up'], { cwd: project.dir });
    attached = up;
    const pid = await waitFor('db running', () => project?.replica('db')?.pid);
    up.child.kill('SIGINT');
    expect(await up.exited).toEqual({ code: 130, signal: null });
    expect(project.replica('db')?.status).toBe('stopped');
    expect(project.replica('web')?.status).not.toBe('running');
    await waitFor('db to be gone', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});
