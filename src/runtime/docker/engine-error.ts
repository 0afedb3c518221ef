import type { ErrorCode } from '../../errors.js';
import { BerthError } from '../../errors.js';
import { engineAddress } from './engine-client.js';

/** What the call was doing, to word the error; `code` is used when nothing more specific fits. */
export interface EngineCall {
  readonly code: ErrorCode;
  /** e.g. `start replica abc123`. */
  readonly what: string;
  readonly image?: string;
  /** The daemon's address (engineAddress), named when it cannot be reached. */
  readonly address?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EACCES']);

/** Turns a dockerode / socket failure into a BerthError with an actionable message. */
export function engineError(error: unknown, call: EngineCall): BerthError {
  if (error instanceof BerthError) return error;
  const failure = describe(error);
  if (failure.errno && UNREACHABLE.has(failure.errno)) return unreachable(failure.errno, call, error);
  const message = failure.message;
  if (failure.status === 404 && /no such image/i.test(message)) {
    const image = call.image ?? 'the image';
    return new BerthError('RUNTIME_START_FAILED', `cannot ${call.what}: image ${image} is not on this Docker engine`, {
      cause: error, hint: `berth does not pull images here: build it (docker build -t ${image} …) or load it (docker load -i …)`,
    });
  }
  if (failure.status === 404) return new BerthError('RUNTIME_UNKNOWN_INSTANCE', `cannot ${call.what}: no such container`, { cause: error });
  if (failure.status === 409 && /already in use/i.test(message)) {
    return new BerthError('RUNTIME_START_FAILED', `cannot ${call.what}: ${message}`, {
      cause: error, hint: 'another container has that name: remove it (docker rm) or use another project name',
    });
  }
  if (failure.status === 409) return new BerthError('RUNTIME_INSTANCE_STATE', `cannot ${call.what}: ${message}`, { cause: error });
  if (/port is already allocated|address already in use/i.test(message)) {
    return new BerthError('RUNTIME_PORT_IN_USE', `cannot ${call.what}: ${message}`, { cause: error, hint: 'free the port or publish another one' });
  }
  return new BerthError(call.code, `cannot ${call.what}: ${message}`, { cause: error });
}

function unreachable(errno: string, call: EngineCall, cause: unknown): BerthError {
  const address = call.address ?? engineAddress();
  const hint = errno === 'EACCES'
    ? `run berth as a user in the docker group, or point DOCKER_HOST at a daemon you may use (now ${address})`
    : `start the daemon (\`dockerd\` or \`systemctl start docker\`), or point DOCKER_HOST at a running one (now ${address})`;
  return new BerthError(call.code, `cannot ${call.what}: the Docker daemon at ${address} cannot be reached (${errno})`, { cause, hint });
}

interface Failure {
  readonly status?: number;
  readonly errno?: string;
  readonly message: string;
}

function describe(error: unknown): Failure {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const json = record['json'];
  const jsonMessage = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['message'] : undefined;
  const message = typeof jsonMessage === 'string' ? jsonMessage : error instanceof Error ? error.message : String(error);
  return {
    message: message.trim(),
    ...(typeof record['statusCode'] === 'number' ? { status: record['statusCode'] } : {}),
    ...(typeof record['code'] === 'string' ? { errno: record['code'] } : {}),
  };
}

/** Whether an Engine call failed with this HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === status;
}
