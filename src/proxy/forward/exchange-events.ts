/*
 * The listeners of an exchange. They are module-level functions, not closures: each finds its exchange through
 * a symbol on the emitter, so a request registers listeners without allocating any, and nothing runs per chunk
 * but a counter.
 */
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Exchange } from './forward-request.js';

export const kEx = Symbol('berth.exchange');
export const kReq = Symbol('berth.upstreamRequest');
export type Tagged<T> = T & { [kEx]?: Exchange };
export type TaggedSocket = Socket & { [kEx]?: Exchange; [kReq]?: ClientRequest };

export function onUpstreamSocket(this: Tagged<ClientRequest>, socket: Socket): void {
  const ex = this[kEx];
  if (ex === undefined || !ex.isCurrent(this)) return;
  if (socket.connecting) ex.startConnectTimer(this, socket);
  else ex.connectedTo(this);
}

export function onSocketConnect(this: TaggedSocket): void {
  const ex = this[kEx];
  const preq = this[kReq];
  this[kEx] = undefined;
  this[kReq] = undefined;
  if (ex !== undefined && preq !== undefined && ex.isCurrent(preq)) ex.connectedTo(preq);
}

export function onUpstreamRequestSent(this: Tagged<ClientRequest>): void {
  this[kEx]?.startHeaderTimer(this);
}

export function onUpstreamResponse(this: Tagged<ClientRequest>, pres: IncomingMessage): void {
  const ex = this[kEx];
  if (ex === undefined || !ex.isCurrent(this)) {
    pres.resume();
    return;
  }
  ex.response(pres);
}

export function onUpstreamError(this: Tagged<ClientRequest>, err: NodeJS.ErrnoException): void {
  const ex = this[kEx];
  if (ex !== undefined && ex.isCurrent(this)) ex.tryFailed(this, err);
}

export function onUpstreamIdle(this: Tagged<ClientRequest>): void {
  this[kEx]?.idle(this);
}

export function onConnectTimeout(ex: Exchange, preq: ClientRequest): void {
  ex.timeoutTry(preq, 'connect');
}

export function onHeaderTimeout(ex: Exchange, preq: ClientRequest): void {
  ex.timeoutTry(preq, 'timeout');
}

export function onTotalTimeout(ex: Exchange): void {
  ex.totalTimeout();
}

export function onClientData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  this[kEx]?.countIn(chunk.length);
}

export function onUpstreamData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  this[kEx]?.countOut(chunk.length);
}

export function onUpstreamEnd(this: Tagged<IncomingMessage>): void {
  this[kEx]?.upstreamEnded();
}

export function onUpstreamBodyError(this: Tagged<IncomingMessage>): void {
  this[kEx]?.upstreamBodyFailed();
}

export function onClientClose(this: Tagged<ServerResponse>): void {
  this[kEx]?.clientClosed();
}
