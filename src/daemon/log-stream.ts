import type { Runtime, LogLine } from '../runtime/runtime.js';
import type { InstanceId } from '../model/ids.js';
import { delay } from '../runtime/process/spawn/process-group.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * Streams the logs of the selected services' replicas as `{event: LogLine}` lines. Without `follow`, the lines of all
 * replicas are merged in time order; with `follow`, replicas that start later (restarts, scale-up) are picked up too.
 */
export async function streamLogs(options: {
  supervisor: Supervisor;
  runtime: Runtime;
  url: URL;
  signal: AbortSignal;
  send: (line: unknown) => void;
  /** How often `follow` looks for new replicas. */
  pollMs?: number;
}): Promise<void> {
  const { supervisor, runtime, url, signal, send } = options;
  const wanted = url.searchParams.getAll('service');
  const follow = url.searchParams.get('follow') === '1';
  const tail = url.searchParams.has('tail') ? Number(url.searchParams.get('tail')) : undefined;
  const since = url.searchParams.has('since') ? Number(url.searchParams.get('since')) : undefined;
  const selected = () => supervisor.status()
    .filter((r) => r.instanceId && (wanted.length === 0 || wanted.includes(r.service)))
    .map((r) => r.instanceId as InstanceId);

  if (!follow) {
    const lines: LogLine[] = [];
    for (const id of new Set(selected())) {
      for await (const line of runtime.logs(id, { follow: false, tail, since, signal })) lines.push(line);
    }
    lines.sort((a, b) => a.time - b.time);
    for (const line of lines) send({ event: line });
    return;
  }
  const seen = new Set<InstanceId>();
  const readers: Promise<void>[] = [];
  const pump = async (id: InstanceId) => {
    for await (const line of runtime.logs(id, { follow: true, tail, since, signal })) send({ event: line });
  };
  while (!signal.aborted) {
    for (const id of selected()) {
      if (seen.has(id)) continue;
      seen.add(id);
      readers.push(pump(id).catch(() => undefined));
    }
    await delay(options.pollMs ?? 500, signal);
  }
  await Promise.allSettled(readers);
}
