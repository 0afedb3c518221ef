import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isLive, REPLICA_STATUSES, REPLICA_TRANSITIONS } from './replica-status.js';

describe('replica status transitions', () => {
  it('lists every status in the table, and only statuses as targets', () => {
    expect(Object.keys(REPLICA_TRANSITIONS).sort()).toEqual([...REPLICA_STATUSES].sort());
    for (const targets of Object.values(REPLICA_TRANSITIONS)) for (const to of targets) expect(REPLICA_STATUSES).toContain(to);
  });

  it.each([
    ['created', 'starting', true],
    ['waiting', 'starting', true],
    ['running', 'restarting', true],
    ['restarting', 'starting', true],
    ['stopping', 'stopped', true],
    ['stopped', 'starting', true],
    ['created', 'running', false],
    ['stopped', 'running', false],
    ['exited', 'restarting', false],
    ['running', 'created', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('raises SUPERVISOR_STATE for an impossible move, naming the replica', () => {
    expect(() => assertTransition('stopped', 'running', 'api#1')).toThrow(expect.objectContaining({ code: 'SUPERVISOR_STATE', message: 'replica api#1 cannot go from stopped to running' }));
    expect(() => assertTransition('running', 'stopping', 'api#1')).not.toThrow();
  });

  it('knows in which statuses a process may be alive', () => {
    expect(REPLICA_STATUSES.filter(isLive)).toEqual(['starting', 'running', 'stopping']);
  });
});
