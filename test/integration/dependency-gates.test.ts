import { afterEach, describe, expect, it } from 'vitest';
import { TestProject, waitFor } from '../support/stack-helpers.js';

const node = JSON.stringify(process.execPath);
const run = (script: string) => `    x-berth:\n      process:\n        command: [${node}, "-e", ${JSON.stringify(script)}]\n`;
const LONG_RUNNING = "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";

let project: TestProject | undefined;
afterEach(() => project?.cleanup());

describe('dependency gates on real processes', () => {
  it('never starts the dependents of a failing migration job; up exits non-zero naming the job and its last log lines', () => {
    project = new TestProject({
      'compose.yaml': `services:
  migrate:
${run("console.log('applying 0001_init'); console.error('relation tasks already exists'); process.exit(1)")}    restart: "no"
  api:
${run(LONG_RUNNING)}    depends_on:
      migrate:
        condition: service_completed_successfully
  worker:
${run(LONG_RUNNING)}    depends_on:
      migrate:
        condition: service_completed_successfully
`,
    });
    const up = project.run(['up', '-d']);
    expect(up.status).toBe(1);
    expect(up.stderr).toContain('migrate');
    expect(up.stderr).toContain('exited with code 1');
    expect(up.stderr).toContain('relation tasks already exists');
    const replicas = project.ps();
    expect(replicas.filter((r) => r.service !== 'migrate' && r.pid)).toEqual([]);
  });

  it('fails up --wait naming a dependency that never turns healthy, after its retries', () => {
    project = new TestProject({
      'compose.yaml': `services:
  db:
${run(LONG_RUNNING)}    healthcheck:
      test: ["CMD", ${node}, "-e", "process.exit(1)"]
      interval: 200ms
      timeout: 2s
      retries: 3
  api:
${run(LONG_RUNNING)}    depends_on:
      db:
        condition: service_healthy
`,
    });
    const up = project.run(['up', '-d', '--wait']);
    expect(up.status).toBe(1);
    expect(up.stderr).toMatch(/db.*unhealthy/);
    expect(project.replica('api')?.pid).toBeUndefined();
  });

  it('starts in dependency order: a dependent starts only after its dependency is healthy', async () => {
    project = new TestProject({
      'compose.yaml': `services:
  db:
${run("setTimeout(() => require('fs').writeFileSync('ready', String(Date.now())), 600); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));")}    healthcheck:
      test: ["CMD-SHELL", "test -f ready"]
      interval: 100ms
      start_interval: 100ms
      retries: 50
  api:
${run("console.log('started at', Date.now()); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));")}    depends_on:
      db:
        condition: service_healthy
`,
    });
    const up = project.run(['up', '-d', '--wait']);
    expect(up.status, up.stderr).toBe(0);
    const replicas = project.ps();
    expect(replicas.find((r) => r.service === 'db')?.health).toBe('healthy');
    const logs = await waitFor('api log line', () => {
      const out = project?.run(['logs', 'api']).stdout ?? '';
      return /started at (\d+)/.exec(out) ?? undefined;
    });
    expect(Number(logs[1])).toBeGreaterThan(0);
  });
});
