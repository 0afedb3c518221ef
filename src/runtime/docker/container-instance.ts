import type Docker from 'dockerode';
import { instanceId, stackName } from '../../model/ids.js';
import type { Endpoint, ExitInfo, Instance, InstanceSpec, InstanceState } from '../runtime.js';
import { LABELS } from './container-config.js';
import { exitFromCode } from './exit-info.js';

/** Whether a container carries berth's labels (berth never touches other containers). */
export function isBerthContainer(info: Docker.ContainerInspectInfo): boolean {
  return typeof info.Config.Labels?.[LABELS.stack] === 'string';
}

/** The Instance a container inspection describes. Pure. */
export function instanceOf(info: Docker.ContainerInspectInfo): Instance {
  const labels = info.Config.Labels ?? {};
  const state = stateOf(info.State);
  const spec = specOf(labels[LABELS.spec]);
  const pid = info.State.Pid > 0 ? info.State.Pid : undefined;
  const startedAt = timeOf(info.State.StartedAt);
  const exit = exitOf(info.State);
  return {
    id: instanceId(info.Id),
    stack: stackName(labels[LABELS.stack] ?? ''),
    service: labels[LABELS.service] ?? '',
    replica: Number(labels[LABELS.number] ?? 0),
    state,
    endpoints: state === 'running' ? endpointsOf(info) : {},
    ...(pid !== undefined && state === 'running' ? { pid } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(exit ? { exit } : {}),
    ...(spec ? { spec } : {}),
  };
}

/** The Engine's container status as berth's three states (paused and restarting count as running). */
export function stateOf(state: Docker.ContainerInspectInfo['State']): InstanceState {
  switch (state.Status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    default:
      return 'exited';
  }
}

/** The last exit of a container that has run and stopped; undefined while it runs or before its first start. */
export function exitOf(state: Docker.ContainerInspectInfo['State']): ExitInfo | undefined {
  if (stateOf(state) !== 'exited') return undefined;
  return exitFromCode(state.ExitCode, timeOf(state.FinishedAt) ?? Date.now());
}

/** Host endpoints of the published TCP ports, as the Engine bound them. */
function endpointsOf(info: Docker.ContainerInspectInfo): Record<number, Endpoint> {
  const out: Record<number, Endpoint> = {};
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    const binding = (bindings ?? []).find((b) => b.HostPort !== '');
    if (protocol !== 'tcp' || !binding) continue;
    const host = binding.HostIp === '' || binding.HostIp === '0.0.0.0' ? '127.0.0.1' : binding.HostIp;
    out[Number(port)] = { host, port: Number(binding.HostPort) };
  }
  return out;
}

/** Engine times are RFC 3339 with nanoseconds; the zero time (`0001-01-01…`) means never. */
function timeOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The InstanceSpec stored in the label, when it is there and looks like one (else the instance has no spec). */
function specOf(json: string | undefined): InstanceSpec | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const service = record['service'];
    const ok = typeof record['stack'] === 'string' && typeof record['replica'] === 'number' && typeof service === 'object' && service !== null
      && typeof (service as Record<string, unknown>)['name'] === 'string';
    return ok ? (value as InstanceSpec) : undefined;
  } catch {
    return undefined;
  }
}

