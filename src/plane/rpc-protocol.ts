/*
 * The wire format between the daemon and its data plane: JSON lines over a unix socket.
 * Client → plane: `{id, method, params}` starts a call or a subscription; `{id, cancel: true}` cancels it.
 * Plane → client: zero or more `{id, event}` (subscriptions only), then exactly one `{id, result}` or `{id, error}`.
 */
import { StringDecoder } from 'node:string_decoder';
import { BerthError, ERROR_CODES, type ErrorCode } from '../errors.js';

export interface RpcRequest {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface RpcCancel {
  readonly id: number;
  readonly cancel: true;
}

export type ClientMessage = RpcRequest | RpcCancel;

/** An error as it crosses the wire: a BerthError keeps its code, hint, path and issues; others their name. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly path?: string;
  readonly name?: string;
  readonly issues?: readonly WireError[];
}

export type ServerMessage =
  | { readonly id: number; readonly event: unknown }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: WireError };

/** The code of a plain (non-Berth) error on the wire. */
export const INTERNAL_CODE = 'INTERNAL';
/** Longest line either side accepts (a Stack with many services stays far below). */
export const MAX_LINE_BYTES = 64 << 20;

export function toWireError(error: unknown): WireError {
  if (error instanceof BerthError) {
    return {
      code: error.code, message: error.message, name: error.name,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.issues.length === 0 ? {} : { issues: error.issues.map(toWireError) }),
    };
  }
  if (error instanceof Error) return { code: INTERNAL_CODE, message: error.message, name: error.name };
  return { code: INTERNAL_CODE, message: String(error) };
}

/** The error the plane threw, rebuilt: a BerthError with the same code, a RangeError/TypeError, or an Error. */
export function fromWireError(wire: WireError): Error {
  if (isErrorCode(wire.code)) {
    return new BerthError(wire.code, wire.message, {
      ...(wire.hint === undefined ? {} : { hint: wire.hint }),
      ...(wire.path === undefined ? {} : { path: wire.path }),
      ...(wire.issues === undefined ? {} : { issues: wire.issues.map(fromWireError).filter((e): e is BerthError => e instanceof BerthError) }),
    });
  }
  if (wire.name === 'RangeError') return new RangeError(wire.message);
  if (wire.name === 'TypeError') return new TypeError(wire.message);
  const error = new Error(wire.message);
  if (wire.name === 'AbortError') error.name = 'AbortError';
  return error;
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** Parses a client line; undefined when it is not a well-formed message. */
export function parseClientMessage(line: string): ClientMessage | undefined {
  const value = parseObject(line);
  if (value === undefined || typeof value.id !== 'number') return undefined;
  if (value.cancel === true) return { id: value.id, cancel: true };
  if (typeof value.method !== 'string') return undefined;
  return { id: value.id, method: value.method, params: value.params };
}

/** Parses a plane line; undefined when it is not a well-formed message. */
export function parseServerMessage(line: string): ServerMessage | undefined {
  const value = parseObject(line);
  if (value === undefined || typeof value.id !== 'number') return undefined;
  if ('event' in value) return { id: value.id, event: value.event };
  if ('result' in value) return { id: value.id, result: value.result };
  const error = value.error;
  if (typeof error === 'object' && error !== null && typeof (error as WireError).code === 'string' && typeof (error as WireError).message === 'string') {
    return { id: value.id, error: error as WireError };
  }
  return undefined;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a byte stream into lines; calls `onLine` for each complete one. Throws past MAX_LINE_BYTES. */
export class LineSplitter {
  private buffer = '';
  /** Keeps a character split between two chunks whole. */
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk);
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.length > 0) this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE_BYTES) throw new RangeError(`a line longer than ${MAX_LINE_BYTES} bytes`);
  }
}
