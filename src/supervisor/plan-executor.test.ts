import { describe, expect, it } from 'vitest';
import { stackName } from '../model/ids.js';
import { PlanBuilder } from '../plan/plan.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import { executePlan } from './plan-executor.js';

const spec = (name: string) => ({ stack: stackName('s'), projectDir: '/s', service: testService(name), replica: 1, env: {} });

describe('executePlan', () => {
  it('runs independent steps concurrently and each step after its predecessors', async () => {
    const b = new PlanBuilder();
    const a = b.add({ kind: 'create', service: 'a', replica: 1, spec: spec('a') });
    const c = b.add({ kind: 'create', service: 'c', replica: 1, spec: spec('c') });
    b.add({ kind: 'start', service: 'a', replica: 1, after: [a, c] });
    const running = new Set<string>();
    let overlap = 0;
    const log: string[] = [];
    const outcomes = await executePlan(b.build(), async (step) => {
      running.add(step.service + step.kind);
      overlap = Math.max(overlap, running.size);
      log.push(`${step.kind} ${step.service}`);
      await new Promise((resolve) => setImmediate(resolve));
      running.delete(step.service + step.kind);
      return undefined;
    }, { emit: () => undefined, now: () => 0 });
    expect(overlap).toBe(2);
    expect(log.at(-1)).toBe('start a');
    expect(outcomes.map((o) => o.kind)).toEqual(['done', 'done', 'done']);
  });

  it('skips steps behind a failure with its root cause, but not steps that only wait for an optional one', async () => {
    const b = new PlanBuilder();
    const job = b.add({ kind: 'start', service: 'job', replica: 1 });
    const api = b.add({ kind: 'start', service: 'api', replica: 1, after: [job] });
    b.add({ kind: 'start', service: 'web', replica: 1, after: [api] });
    b.add({ kind: 'start', service: 'cron', replica: 1, afterOptional: [job] });
    const events: string[] = [];
    const outcomes = await executePlan(b.build(), async (step) => {
      if (step.service === 'job') return { service: 'job', code: 'SUPERVISOR_JOB_FAILED', reason: 'job exited with code 1' };
      return undefined;
    }, { emit: (e) => events.push(e.type === 'step' ? `${e.service} ${e.phase}` : e.type), now: () => 0 });
    expect(outcomes).toEqual([
      { kind: 'failed', failure: { service: 'job', code: 'SUPERVISOR_JOB_FAILED', reason: 'job exited with code 1' } },
      { kind: 'skipped', failure: { service: 'job', code: 'SUPERVISOR_JOB_FAILED', reason: 'job exited with code 1' } },
      { kind: 'skipped', failure: { service: 'job', code: 'SUPERVISOR_JOB_FAILED', reason: 'job exited with code 1' } },
      { kind: 'done' },
    ]);
    expect(events).toEqual(['job begin', 'job failed', 'cron begin', 'api skipped', 'cron done', 'web skipped']);
  });

  it('turns thrown errors into failures and begins nothing after an abort', async () => {
    const b = new PlanBuilder();
    const first = b.add({ kind: 'stop', service: 'a', replica: 1 });
    b.add({ kind: 'remove', service: 'a', replica: 1, afterOptional: [first] });
    const controller = new AbortController();
    const outcomes = await executePlan(b.build(), async () => {
      controller.abort();
      throw new Error('kill EPERM');
    }, { emit: () => undefined, now: () => 0, signal: controller.signal });
    expect(outcomes).toEqual([
      { kind: 'failed', failure: { service: 'a', code: 'SUPERVISOR_STOP_FAILED', reason: 'stop a#1 failed: kill EPERM' } },
      { kind: 'skipped', failure: expect.objectContaining({ code: 'SUPERVISOR_ABORTED' }) },
    ]);
  });
});
