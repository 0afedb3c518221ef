import { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { InstanceId } from '../../model/ids.js';
import type { LogLine, LogOptions } from '../runtime.js';
import { AsyncQueue } from './async-queue.js';

/** Who the lines belong to. */
export interface LogSource {
  readonly id: InstanceId;
  readonly service: string;
  readonly replica: number;
}

/**
 * A container's log as LogLines, read from the Engine with timestamps and demultiplexed into stdout / stderr.
 * Each Engine message is `<RFC 3339 time> <text>`; a message without a trailing newline is a partial line (a long
 * line split by the Engine, or the last output of a program) and is joined with what follows, or flushed at the end.
 * With `follow` it ends when the container stops or `options.signal` aborts (then quietly, without an error).
 */
export async function* containerLogs(docker: Docker, source: LogSource, options: LogOptions): AsyncGenerator<LogLine> {
  const since = options.since;
  if (since !== undefined && !options.follow && since > Date.now() + 1000) return;
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) return;
  let last: number | undefined;
  let atLast = 0;
  try {
    for await (const line of readLogs(docker, source, options, abort.signal)) {
      atLast = line.time === last ? atLast + 1 : 1;
      last = line.time;
      yield line;
    }
    if (!options.follow || abort.signal.aborted) return;
    // The Engine (20.10, json-file) can end a follow before sending what the program wrote last (a final partial
    // line is flushed as the container stops): read once more from the last line on and send what was missed.
    const rest = last === undefined ? { ...options, follow: false } : { follow: false, since: last };
    let skip = atLast;
    for await (const line of readLogs(docker, source, rest, abort.signal)) {
      if (last !== undefined && line.time === last && skip > 0) skip--;
      else if (last === undefined || line.time >= last) yield line;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    abort.abort();
  }
}

/** One Engine logs request as LogLines (at or after `options.since`). */
async function* readLogs(docker: Docker, source: LogSource, options: LogOptions, signal: AbortSignal): AsyncGenerator<LogLine> {
  const since = options.since;
  const stream = await openLogs(docker, source.id, options, signal);
  const queue = new AsyncQueue<LogLine>();
  const stdout = lineWriter(source, 'stdout', queue);
  const stderr = lineWriter(source, 'stderr', queue);
  docker.modem.demuxStream(stream, stdout.writable, stderr.writable);
  const finish = (): void => {
    stdout.flush();
    stderr.flush();
    queue.end();
  };
  const destroy = (): void => {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    finish();
  };
  stream.on('end', finish);
  stream.on('close', finish);
  stream.on('error', (error) => (signal.aborted ? finish() : queue.fail(error)));
  signal.addEventListener('abort', destroy, { once: true });
  try {
    for await (const line of queue.drain()) if (since === undefined || line.time >= since) yield line;
  } finally {
    signal.removeEventListener('abort', destroy);
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

async function openLogs(docker: Docker, id: InstanceId, options: LogOptions, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  const query = {
    stdout: true, stderr: true, timestamps: true, abortSignal: signal,
    ...(options.since !== undefined ? { since: (options.since / 1000).toFixed(3) as unknown as number } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  };
  const container = docker.getContainer(id);
  if (options.follow) return container.logs({ ...query, follow: true });
  // Without follow the Engine answers with one buffer (still multiplexed, since berth never allocates a TTY).
  return Readable.from([await container.logs({ ...query, follow: false })]);
}

/** A Writable receiving one Engine log message per write (demuxStream writes frame by frame). */
function lineWriter(source: LogSource, stream: LogLine['stream'], queue: AsyncQueue<LogLine>): { writable: Writable; flush(): void } {
  let pending: { time: number; text: string } | undefined;
  const emit = (time: number, text: string): void => queue.push({ instance: source.id, service: source.service, replica: source.replica, stream, time, text });
  const writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const message = chunk.toString('utf8');
      const space = message.indexOf(' ');
      const time = parseTime(message.slice(0, space)) ?? Date.now();
      const parts = message.slice(space + 1).split('\n');
      const last = parts.pop() ?? '';
      for (const part of parts) {
        emit(pending?.time ?? time, (pending?.text ?? '') + part);
        pending = undefined;
      }
      if (last !== '') pending = { time: pending?.time ?? time, text: (pending?.text ?? '') + last };
      done();
    },
  });
  return {
    writable,
    flush: () => {
      if (pending) emit(pending.time, pending.text);
      pending = undefined;
    },
  };
}

/** `2026-11-25T14:52:20.123456789Z` → ms since epoch (nanoseconds cut to milliseconds). */
function parseTime(value: string): number | undefined {
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}
