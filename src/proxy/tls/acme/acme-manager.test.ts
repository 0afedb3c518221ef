import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../test/support/manual-clock.js';
import { BerthError } from '../../../errors.js';
import { CertStore } from '../cert-store.js';
import { SniCertificates } from '../sni.js';
import { makeTestCertificate } from '../test-certificates.js';
import { AcmeManager, checkAcmeName, type AcmeEvent } from './acme-manager.js';
import { Http01Responder } from './http01-responder.js';

const DAY = 86_400_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-acme-unit-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A manager whose timers never fire (a manual clock that is not advanced) and whose CA does not exist: what it
 * does at start comes from the store alone.
 */
async function managerWithStored(stored: Record<string, { names: string[]; days: number }>) {
  const folder = await mkdtemp(path.join(dir, 'case-'));
  const store = new CertStore(path.join(folder, 'tls'));
  for (const [name, spec] of Object.entries(stored)) {
    const made = await makeTestCertificate(folder, { file: name, names: spec.names, days: spec.days });
    await store.writeCertificate(name, { key: made.key, cert: made.cert });
  }
  const clock = new ManualClock(Date.now());
  const sni = new SniCertificates();
  const events: AcmeEvent[] = [];
  const manager = new AcmeManager({
    directoryUrl: 'https://127.0.0.1:1/directory', store, responder: new Http01Responder(), sni, clock, onEvent: (e) => events.push(e),
  });
  return { manager, sni, events, clock };
}

describe('AcmeManager at start', () => {
  it('serves a valid stored certificate at once and plans its renewal 30 days before expiry', async () => {
    const { manager, sni, events, clock } = await managerWithStored({ 'app.example.test': { names: ['app.example.test'], days: 60 } });
    await manager.manage(['app.example.test']);
    const status = manager.status('app.example.test');
    expect(status?.state).toBe('valid');
    expect(status?.nextAttemptAt).toBe((status?.notAfter?.getTime() ?? 0) - 30 * DAY);
    expect(status?.nextAttemptAt).toBeGreaterThan(clock.now() + 29 * DAY);
    expect(sni.table.select('app.example.test')).toMatchObject({ id: 'acme:app.example.test', source: 'acme', serial: status?.serial });
    expect(events.map((e) => e.kind)).toEqual(['loaded']);
    manager.close();
    expect(clock.pending).toBe(0);
  });

  it('does not serve a stored certificate that expired or names another host, and plans issuance at once', async () => {
    const { manager, sni, events, clock } = await managerWithStored({
      'old.example.test': { names: ['old.example.test'], days: -1 },
      'moved.example.test': { names: ['elsewhere.example.test'], days: 60 },
    });
    await manager.manage(['old.example.test', 'moved.example.test']);
    for (const name of ['old.example.test', 'moved.example.test']) {
      expect(manager.status(name)).toEqual({ state: 'waiting', nextAttemptAt: clock.now() });
      expect(sni.table.select(name)).toBeUndefined();
    }
    expect(events).toEqual([]);
    manager.close();
  });

  it('stops serving and renewing names that are no longer managed', async () => {
    const { manager, sni } = await managerWithStored({
      'a.example.test': { names: ['a.example.test'], days: 60 }, 'b.example.test': { names: ['b.example.test'], days: 60 },
    });
    await manager.manage(['a.example.test', 'b.example.test']);
    expect(sni.table.entries.map((e) => e.id)).toEqual(['acme:a.example.test', 'acme:b.example.test']);
    await manager.manage(['A.example.test.']);
    expect(sni.table.entries.map((e) => e.id)).toEqual(['acme:a.example.test']);
    expect(manager.status('b.example.test')).toBeUndefined();
    manager.close();
  });
});

describe('checkAcmeName', () => {
  it('takes DNS names in canonical form', () => {
    expect(checkAcmeName('App.Example.COM.')).toBe('app.example.com');
  });

  it.each([
    ['*.example.com', /wildcard names only by DNS-01/],
    ['127.0.0.1', /needs a public DNS name/],
    ['::1', /needs a public DNS name/],
    ['localhost', /needs a public DNS name/],
    ['bad_name.example.com', /needs a public DNS name/],
  ])('refuses %s with SPEC_BERTH', (name, message) => {
    let error: unknown;
    try {
      checkAcmeName(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BerthError);
    expect((error as BerthError).code).toBe('SPEC_BERTH');
    expect((error as BerthError).message).toMatch(message);
    expect((error as BerthError).hint).toBeTruthy();
  });
});
