import { describe, expect, it } from 'vitest';
import { instanceId, stackName } from '../model/ids.js';
import type { DependencyCondition, Service } from '../model/stack.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import { evaluateGate, readiness } from './dependency-gates.js';
import { ReplicaRecord } from './replica-record.js';
import type { ReplicaStatus } from './replica-status.js';

const withCheck = testService('db', { healthcheck: { test: { kind: 'shell', command: 'true' }, intervalMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 0, startIntervalMs: 1 } });

function record(fields: Partial<Pick<ReplicaRecord, 'status' | 'health' | 'healthReason' | 'lastExit' | 'everStarted' | 'stoppedByUser' | 'detail'>>, service: Service = withCheck, replica = 1): ReplicaRecord {
  const spec = { stack: stackName('demo'), projectDir: '/demo', service, replica, env: {} };
  const r = new ReplicaRecord(spec, { id: instanceId(`${service.name}-${replica}`), stack: spec.stack, service: service.name, replica, state: 'created', endpoints: {} }, 'fp', 0);
  return Object.assign(r, fields);
}
const exit = (code: number | null) => ({ code, signal: null, at: 0 });
const gate = (condition: DependencyCondition) => ({ service: 'db', condition, required: true });
const verdict = (condition: DependencyCondition, ...records: ReplicaRecord[]) => {
  const v = evaluateGate(gate(condition), { inStack: true, desired: records.length, records });
  return v.kind === 'failed' ? `${v.failure.code}: ${v.failure.reason}` : v.kind;
};
const status = (s: ReplicaStatus, more: Parameters<typeof record>[0] = {}) => record({ status: s, everStarted: s !== 'created' && s !== 'waiting' && s !== 'starting', ...more });

describe('evaluateGate', () => {
  it.each([
    ['service_started', status('created'), 'pending'],
    ['service_started', status('starting'), 'pending'],
    ['service_started', status('running'), 'ok'],
    ['service_started', status('exited', { lastExit: exit(1) }), 'ok'],
    ['service_started', status('failed', { everStarted: false, detail: 'could not start: ENOENT' }), 'SUPERVISOR_START_FAILED: db failed to start (could not start: ENOENT)'],
    ['service_healthy', status('running', { health: 'starting' }), 'pending'],
    ['service_healthy', status('running', { health: 'healthy' }), 'ok'],
    ['service_healthy', status('running', { health: 'unhealthy', healthReason: 'exit code 1' }), 'SUPERVISOR_UNHEALTHY: db is unhealthy: exit code 1'],
    ['service_healthy', status('restarting', { lastExit: exit(1) }), 'pending'],
    ['service_healthy', status('exited', { lastExit: exit(2) }), 'SUPERVISOR_EXITED: db exited with code 2 before it became healthy'],
    ['service_healthy', status('failed', { detail: 'gave up after 3 restarts' }), 'SUPERVISOR_EXITED: db failed (gave up after 3 restarts)'],
    ['service_completed_successfully', status('running'), 'pending'],
    ['service_completed_successfully', status('exited', { lastExit: exit(0) }), 'ok'],
    ['service_completed_successfully', status('exited', { lastExit: exit(1) }), 'SUPERVISOR_JOB_FAILED: db exited with code 1'],
    ['service_completed_successfully', status('restarting', { lastExit: exit(1) }), 'pending'],
    ['service_completed_successfully', status('restarting', { lastExit: exit(0) }), 'ok'],
    ['service_completed_successfully', status('failed', { lastExit: exit(1), detail: 'gave up after 2 restarts' }), 'SUPERVISOR_JOB_FAILED: db exited with code 1 (gave up after 2 restarts)'],
    ['service_completed_successfully', status('stopped', { stoppedByUser: true }), 'SUPERVISOR_DEPENDENCY: db was stopped by the user'],
  ] as const)('%s with db %o → %s', (condition, r, expected) => {
    expect(verdict(condition, r)).toBe(expected);
  });

  it('needs every replica, and names the failing one of a replicated dependency', () => {
    expect(verdict('service_started', status('running', {}), record({ status: 'starting' }, withCheck, 2))).toBe('pending');
    expect(verdict('service_completed_successfully', status('exited', { lastExit: exit(0) }), record({ status: 'exited', lastExit: exit(4), everStarted: true }, withCheck, 2)))
      .toBe('SUPERVISOR_JOB_FAILED: db#2 exited with code 4');
  });

  it('fails service_healthy at once when the dependency has no healthcheck (compose: "has no healthcheck configured")', () => {
    expect(verdict('service_healthy', record({ status: 'running', everStarted: true }, testService('db')))).toBe('SUPERVISOR_DEPENDENCY: db has no healthcheck, so it can never be healthy');
  });

  it('passes for a dependency scaled to 0 and fails for one that is not in the stack', () => {
    expect(evaluateGate(gate('service_healthy'), { inStack: true, desired: 0, records: [] })).toEqual({ kind: 'ok' });
    expect(evaluateGate(gate('service_started'), { inStack: false, desired: 0, records: [] })).toMatchObject({ kind: 'failed', failure: { code: 'SUPERVISOR_DEPENDENCY' } });
    expect(evaluateGate(gate('service_started'), { inStack: true, desired: 1, records: [] })).toMatchObject({ kind: 'failed', failure: { reason: 'db has no replicas' } });
  });
});

describe('readiness (up --wait)', () => {
  it.each([
    [status('running', { health: 'healthy' }), 'ok'],
    [status('running', { health: 'starting' }), 'pending'],
    [record({ status: 'running', everStarted: true }, testService('web')), 'ok'],
    [status('exited', { lastExit: exit(0) }), 'ok'],
    [status('exited', { lastExit: exit(1) }), 'failed'],
    [status('restarting'), 'pending'],
    [status('restarting', { detail: 'crash loop: 5 exits in 30s' }), 'failed'],
    [status('failed'), 'failed'],
    [status('stopped'), 'failed'],
    [status('waiting'), 'pending'],
  ] as const)('%o → %s', (r, expected) => {
    expect(readiness(r).kind).toBe(expected);
  });
});
