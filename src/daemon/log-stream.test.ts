import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemoryRuntime } from '../../test/support/memory-runtime.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { streamLogs } from './log-stream.js';

describe('streamLogs', () => {
  it('does not pile up abort listeners while following (one per poll would leak for a long `logs -f`)', async () => {
    const controller = new AbortController();
    let polls = 0;
    let listeners = 0;
    const supervisor = {
      status: () => {
        polls += 1;
        listeners = Math.max(listeners, getEventListeners(controller.signal, 'abort').length);
        if (polls === 30) controller.abort();
        return [];
      },
    } as unknown as Supervisor;
    const url = new URL('http://berth/v1/logs?follow=1');
    await streamLogs({ supervisor, runtime: new MemoryRuntime(), url, signal: controller.signal, send: () => undefined, pollMs: 1 });
    expect(polls).toBe(30);
    expect(listeners).toBeLessThanOrEqual(1);
  });
});
