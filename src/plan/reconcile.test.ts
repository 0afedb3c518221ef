import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { instanceId } from '../model/ids.js';
import type { Dependency, Service } from '../model/stack.js';
import { testService, testStack } from '../spec/validate/rules/test-stack.js';
import { serviceFingerprint } from './fingerprint.js';
import { EMPTY_OBSERVED, type ObservedReplica, type ObservedState } from './observed.js';
import { reconcile } from './reconcile.js';

const dep = (condition: Dependency['condition'], fields: Partial<Dependency> = {}): Dependency => ({ condition, restart: false, required: true, ...fields });

const db = testService('db', { healthcheck: { test: { kind: 'exec', argv: ['pg_isready'] }, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startIntervalMs: 1000 } });
const migrate = testService('migrate', { dependsOn: { db: dep('service_healthy') } });
const api = testService('api', { dependsOn: { db: dep('service_healthy'), migrate: dep('service_completed_successfully') } });
const worker = testService('worker', { replicas: 2, dependsOn: { api: dep('service_started') } });
const stack = testStack([db, migrate, api, worker]);

function running(service: Service, replica = 1, fields: Partial<ObservedReplica> = {}): ObservedReplica {
  return { service: service.name, replica, id: instanceId(`${service.name}-${replica}`), state: 'running', fingerprint: serviceFingerprint(service), stoppedByUser: false, ...fields };
}
const observed = (...replicas: ObservedReplica[]): ObservedState => ({ replicas });
const everythingRunning = observed(running(db), running(migrate, 1, { state: 'exited' }), running(api), running(worker, 1), running(worker, 2));

describe('reconcile', () => {
  it('creates every replica of a fresh stack and starts each after its dependencies, in dependency order', () => {
    expect(reconcile({ stack }, EMPTY_OBSERVED).toString()).toMatchInlineSnapshot(`
      "create db#1      (missing)
      start db#1       after create db#1
      create migrate#1 (missing)
      start migrate#1  after create migrate#1, db healthy
      create api#1     (missing)
      start api#1      after create api#1, db healthy, migrate completed
      create worker#1  (missing)
      start worker#1   after create worker#1, api started
      create worker#2  (missing)
      start worker#2   after create worker#2, api started
      "
    `);
  });

  it('wires the DAG: a start waits for every step of the services it depends on', () => {
    const plan = reconcile({ stack }, EMPTY_OBSERVED);
    const startApi = plan.steps.find((s) => s.kind === 'start' && s.service === 'api');
    expect(startApi?.after.map((id) => `${plan.steps[id]?.kind} ${plan.steps[id]?.service}`)).toEqual([
      'create api', 'create db', 'start db', 'create migrate', 'start migrate',
    ]);
    expect(startApi?.gates).toEqual([
      { service: 'db', condition: 'service_healthy', required: true },
      { service: 'migrate', condition: 'service_completed_successfully', required: true },
    ]);
    const createApi = plan.steps.find((s) => s.kind === 'create' && s.service === 'api');
    expect(createApi?.kind === 'create' && createApi.spec).toMatchObject({ replica: 1, env: { BERTH_SERVICE: 'api', BERTH_REPLICA: '1' } });
  });

  it('has nothing to do when every replica runs from the same definition (and a completed job is re-run like compose)', () => {
    expect(reconcile({ stack, services: ['worker'] }, everythingRunning).toString()).toMatchInlineSnapshot(`
      "start migrate#1  (exited) after db healthy
      "
    `);
    expect(reconcile({ stack: testStack([db]) }, observed(running(db))).toString()).toBe('nothing to do\n');
  });

  it('starts exited and created replicas again, gated like a fresh start', () => {
    const state = observed(running(db, 1, { state: 'exited' }), running(api, 1, { state: 'created' }), running(migrate, 1, { state: 'exited' }));
    expect(reconcile({ stack, services: ['api'] }, state).toString()).toMatchInlineSnapshot(`
      "start db#1       (exited)
      start migrate#1  (exited) after db healthy
      start api#1      (created) after db healthy, migrate completed
      "
    `);
  });

  it('scales up by creating the next replica numbers', () => {
    const plan = reconcile({ stack: testStack([db]), scale: { db: 3 } }, observed(running(db)));
    expect(plan.toString()).toMatchInlineSnapshot(`
      "create db#2      (missing)
      start db#2       after create db#2
      create db#3      (missing)
      start db#3       after create db#3
      "
    `);
  });

  it('scales down by stopping and removing the highest replica numbers first', () => {
    const w = testService('worker', { replicas: 2 });
    const state = observed(running(w, 1), running(w, 2), running(w, 3), running(w, 4, { state: 'exited' }));
    const plan = reconcile({ stack: testStack([w]) }, state);
    expect(plan.toString()).toMatchInlineSnapshot(`
      "remove worker#4  (scaled down 4 → 2)
      stop worker#3    (scaled down 4 → 2)
      remove worker#3  after stop worker#3
      "
    `);
  });

  it('recreates a replica whose service definition changed: stop, remove, create, start', () => {
    const changed = testService('db', { ...db, environment: { POSTGRES_DB: 'other' } });
    const plan = reconcile({ stack: testStack([changed]) }, observed(running(db)));
    expect(plan.toString()).toMatchInlineSnapshot(`
      "stop db#1        (config changed)
      remove db#1      after stop db#1
      create db#1      after remove db#1
      start db#1       after create db#1
      "
    `);
  });

  it('recreates replicas of unknown origin, and restarts dependents that asked for it (depends_on restart: true)', () => {
    const web = testService('web', { dependsOn: { db: dep('service_started', { restart: true }) } });
    const plan = reconcile({ stack: testStack([db, web]) }, observed(running(db, 1, { fingerprint: undefined }), running(web)));
    expect(plan.toString()).toMatchInlineSnapshot(`
      "stop db#1        (created by an earlier berth)
      remove db#1      after stop db#1
      create db#1      after remove db#1
      start db#1       after create db#1
      stop web#1       (dependency db recreated)
      start web#1      after stop web#1, db started
      "
    `);
  });

  it('stops and removes replicas of services no longer in the stack on a full up only', () => {
    const gone = running(testService('old-worker'), 3);
    expect(reconcile({ stack: testStack([db]) }, observed(running(db), gone)).toString()).toMatchInlineSnapshot(`
      "stop old-worker#3 (not in the stack)
      remove old-worker#3 after stop old-worker#3
      "
    `);
    expect(reconcile({ stack: testStack([db]), services: ['db'] }, observed(running(db), gone)).isEmpty).toBe(true);
  });

  it('brings up the named services and their dependencies only', () => {
    const plan = reconcile({ stack, services: ['migrate'] }, EMPTY_OBSERVED);
    expect(plan.services()).toEqual(['db', 'migrate']);
  });

  it('orders an optional dependency without letting its failure block the start', () => {
    const cache = testService('cache');
    const app = testService('app', { dependsOn: { cache: dep('service_started', { required: false }) } });
    const plan = reconcile({ stack: testStack([cache, app]) }, EMPTY_OBSERVED);
    const start = plan.steps.find((s) => s.kind === 'start' && s.service === 'app');
    expect(start?.after).toEqual([2]);
    expect(start?.afterOptional).toEqual([0, 1]);
    expect(plan.toString()).toContain('start app#1      after create app#1, cache started (optional)');
  });

  it('starts a user-stopped unless-stopped replica only when its service is named, an always one also as a dependency', () => {
    const keep = testService('keep', { restart: { kind: 'unless-stopped' } });
    const back = testService('back', { restart: { kind: 'always' } });
    const front = testService('front', { dependsOn: { keep: dep('service_started'), back: dep('service_started') } });
    const state = observed(running(keep, 1, { state: 'exited', stoppedByUser: true }), running(back, 1, { state: 'exited', stoppedByUser: true }), running(front));
    const s = testStack([keep, back, front]);
    expect(reconcile({ stack: s, services: ['front'] }, state).toString()).toMatchInlineSnapshot(`
      "start back#1     (stopped)
      "
    `);
    expect(reconcile({ stack: s, services: ['keep'] }, state).toString()).toBe('start keep#1     (stopped)\n');
    expect(reconcile({ stack: s }, state).steps.map((step) => step.service)).toEqual(['keep', 'back']);
  });

  it('creates but does not start unless-stopped replicas the user had stopped before berth restarted', () => {
    const keep = testService('keep', { restart: { kind: 'unless-stopped' }, replicas: 2 });
    const plan = reconcile({ stack: testStack([keep]), stoppedByUser: ['keep#2'] }, EMPTY_OBSERVED);
    expect(plan.toString()).toMatchInlineSnapshot(`
      "create keep#1    (missing)
      start keep#1     after create keep#1
      create keep#2    (missing)
      "
    `);
  });

  it('removes duplicate replicas, keeping the one created from the current definition', () => {
    const stale = running(db, 1, { id: instanceId('stale'), fingerprint: undefined, state: 'exited' });
    const plan = reconcile({ stack: testStack([db]) }, observed(stale, running(db)));
    expect(plan.toString()).toBe('remove db#1      (duplicate)\n');
    expect(plan.steps[0]?.kind !== 'create' && plan.steps[0]?.instance).toBe('stale');
  });

  it('rejects unknown services and bad scale values', () => {
    const unknown = (): unknown => reconcile({ stack, services: ['nope'] }, EMPTY_OBSERVED);
    expect(unknown).toThrow(BerthError);
    expect(unknown).toThrow(expect.objectContaining({ code: 'SUPERVISOR_UNKNOWN_SERVICE', hint: 'the stack has: db, migrate, api, worker' }));
    expect(() => reconcile({ stack, scale: { ghost: 1 } }, EMPTY_OBSERVED)).toThrow(expect.objectContaining({ code: 'SUPERVISOR_UNKNOWN_SERVICE' }));
    expect(() => reconcile({ stack, scale: { api: -1 } }, EMPTY_OBSERVED)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('is pure: the same input gives the same plan and nothing is mutated', () => {
    const frozen = Object.freeze({ replicas: Object.freeze([Object.freeze(running(db, 1, { state: 'exited' }))]) });
    expect(reconcile({ stack }, frozen).toString()).toBe(reconcile({ stack }, frozen).toString());
  });

  it('does not count scale as a change of definition', () => {
    expect(serviceFingerprint(testService('x', { replicas: 1 }))).toBe(serviceFingerprint(testService('x', { replicas: 5 })));
    expect(serviceFingerprint(testService('x'))).not.toBe(serviceFingerprint(testService('x', { command: ['run'] })));
  });
});

describe('reconcile after a deploy (replicas numbered above N)', () => {
  const web = testService('web', { replicas: 2 });

  it('keeps the replicas a deploy left, whatever their numbers, when they run the current definition', () => {
    expect(reconcile({ stack: testStack([web]) }, observed(running(web, 3), running(web, 4))).toString()).toBe('nothing to do\n');
  });

  it('fills missing replicas with the lowest free numbers and removes the worst extra ones first', () => {
    const stale = { fingerprint: 'older' };
    const plan = reconcile({ stack: testStack([web]) }, observed(running(web, 1, stale), running(web, 3), running(web, 4), running(web, 5, { state: 'exited' })));
    expect(plan.toString()).toMatchInlineSnapshot(`
      "remove web#5     (scaled down 4 → 2)
      stop web#1       (scaled down 4 → 2)
      remove web#1     after stop web#1
      "
    `);
    expect(reconcile({ stack: testStack([testService('web', { replicas: 3 })]) }, observed(running(web, 3), running(web, 4))).toString()).toMatchInlineSnapshot(`
      "create web#1     (missing)
      start web#1      after create web#1
      "
    `);
  });

  it('puts the release in the environment of the replicas it creates', () => {
    const plan = reconcile({ stack: testStack([web]), releases: { web: 'r7' } }, EMPTY_OBSERVED);
    const create = plan.steps.find((s) => s.kind === 'create');
    expect(create?.kind === 'create' && create.spec.env).toMatchObject({ BERTH_RELEASE: 'r7', BERTH_SERVICE: 'web', BERTH_REPLICA: '1' });
  });
});
