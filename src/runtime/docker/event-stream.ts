import readline from 'node:readline';
import type Docker from 'dockerode';
import { instanceId } from '../../model/ids.js';
import type { RuntimeEvent } from '../runtime.js';
import { LABELS } from './container-config.js';
import { exitFromCode } from './exit-info.js';
import { waitStopped } from './wait-stopped.js';

/** How long an `exited` event waits for the Engine to record the container as stopped (the `die` event comes first). */
const SETTLE_MS = 5000;

/** One line of the Engine's /events stream, as far as berth reads it. */
interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly timeNano?: number;
}

/**
 * Starts and exits of berth's containers (any stack) from the Engine's /events, from `sinceMs` on (so that events
 * between the call and the first `next()` are not lost). An exit is yielded once `list()` also sees the container
 * stopped. Ends quietly when `signal` aborts; fails if the Engine stream breaks.
 */
export async function* engineEvents(docker: Docker, sinceMs: number, signal: AbortSignal): AsyncGenerator<RuntimeEvent> {
  if (signal.aborted) return;
  const filters = JSON.stringify({ type: ['container'], event: ['start', 'die'], label: [LABELS.stack] });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getEvents({ since: (sinceMs / 1000).toFixed(3) as unknown as number, filters, abortSignal: signal });
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  const lines = readline.createInterface({ input: stream as NodeJS.ReadableStream & AsyncIterable<unknown>, crlfDelay: Infinity });
  const stop = (): void => lines.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const line of lines) {
      const event = parse(line);
      if (event) yield await toRuntimeEvent(docker, event, signal);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

function parse(line: string): EngineEvent | undefined {
  if (line.trim() === '') return undefined;
  const event = JSON.parse(line) as EngineEvent;
  return event.Type === 'container' && event.Actor?.ID && (event.Action === 'start' || event.Action === 'die') ? event : undefined;
}

async function toRuntimeEvent(docker: Docker, event: EngineEvent, signal: AbortSignal): Promise<RuntimeEvent> {
  const id = event.Actor?.ID ?? '';
  const at = event.timeNano ? Math.floor(event.timeNano / 1e6) : Date.now();
  if (event.Action === 'start') return { type: 'started', id: instanceId(id), at };
  await waitStopped(docker.getContainer(id), SETTLE_MS, signal).catch(() => false);
  return { type: 'exited', id: instanceId(id), exit: exitFromCode(Number(event.Actor?.Attributes?.['exitCode'] ?? 0), at) };
}
