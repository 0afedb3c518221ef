import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instanceId, stackName } from '../../../model/ids.js';
import { conformanceService } from '../../conformance.js';
import type { InstanceRecord } from './instance-record.js';
import { canTransition, toInstance, transition } from './instance-record.js';
import { InstanceStore } from './instance-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record: InstanceRecord = {
  id: instanceId('demo-web-1-abcdef'), stack: stackName('demo'), service: 'web', replica: 1, state: 'running',
  ports: [[8000, 41001], [9000, 41002]], logFile: '/tmp/x.log', createdAt: 1,
  spec: { stack: stackName('demo'), projectDir: '/srv/demo', replica: 1, env: {}, service: conformanceService('web') },
  process: { pid: 1234, pgid: 1234, startTicks: 99 }, startedAt: 2,
};

describe('InstanceStore', () => {
  it('saves and loads records, leaving no temporary file behind', () => {
    const store = new InstanceStore(path.join(dir, 'runtime', 'process.json'));
    expect(store.load()).toEqual([]);
    store.save([record]);
    store.save([record, { ...record, id: instanceId('demo-web-2-abcdef'), replica: 2 }]);
    expect(store.load().map((r) => r.replica)).toEqual([1, 2]);
    expect(new InstanceStore(store.file).load()[0]).toEqual(record);
    expect(readdirSync(path.dirname(store.file))).toEqual(['process.json']);
  });

  it('fails with RUNTIME_STATE on a file it cannot read', () => {
    const file = path.join(dir, 'process.json');
    writeFileSync(file, '{"version": 1, "instances": [');
    expect(() => new InstanceStore(file).load()).toThrow(expect.objectContaining({ code: 'RUNTIME_STATE' }));
    writeFileSync(file, '{"version": 99, "instances": []}');
    expect(() => new InstanceStore(file).load()).toThrow(expect.objectContaining({ code: 'RUNTIME_STATE' }));
  });
});

describe('instance records', () => {
  it('allow only start and exit transitions', () => {
    expect(canTransition('created', 'running')).toBe(true);
    expect(canTransition('exited', 'running')).toBe(true);
    expect(canTransition('running', 'exited')).toBe(true);
    expect(canTransition('created', 'exited')).toBe(false);
    expect(() => transition(record, 'running')).toThrow(expect.objectContaining({ code: 'RUNTIME_INSTANCE_STATE' }));
  });

  it('become Instances with an endpoint on 127.0.0.1 per container port', () => {
    expect(toInstance(record)).toMatchObject({ pid: 1234, endpoints: { 8000: { host: '127.0.0.1', port: 41001 }, 9000: { host: '127.0.0.1', port: 41002 } } });
    expect(toInstance({ ...record, state: 'exited' }).pid).toBeUndefined();
  });
});
