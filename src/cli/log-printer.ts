import pc from 'picocolors';
import type { ApiClient } from '../api/client.js';
import type { LogLine } from '../runtime/runtime.js';

const COLOURS = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];

export interface LogQuery {
  readonly services: readonly string[];
  readonly follow: boolean;
  readonly tail?: number;
  readonly since?: number;
  readonly timestamps: boolean;
  readonly signal?: AbortSignal;
}

/** Prints replica logs like compose: `api-1  | line`, one colour per service, prefixes aligned. */
export async function followLogs(client: ApiClient, query: LogQuery): Promise<void> {
  const params = new URLSearchParams();
  for (const service of query.services) params.append('service', service);
  if (query.follow) params.set('follow', '1');
  if (query.tail !== undefined) params.set('tail', String(query.tail));
  if (query.since !== undefined) params.set('since', String(query.since));
  const colours = new Map<string, (text: string) => string>();
  let width = 0;
  const print = (line: LogLine) => {
    const name = `${line.service}-${line.replica}`;
    width = Math.max(width, name.length);
    if (!colours.has(line.service)) colours.set(line.service, COLOURS[colours.size % COLOURS.length] ?? pc.white);
    const colour = colours.get(line.service) ?? pc.white;
    const stamp = query.timestamps ? `${new Date(line.time).toISOString()} ` : '';
    process.stdout.write(`${colour(`${name.padEnd(width)}  |`)} ${stamp}${line.text}\n`);
  };
  try {
    await client.stream<LogLine, unknown>('GET', `/v1/logs?${params}`, undefined, print, query.signal);
  } catch (error) {
    if (query.signal?.aborted) return;
    throw error;
  }
}
