/*
 * The proxy's own answers (4xx/5xx). Each carries the request id in a header and in the body, so a user can
 * quote it and an operator can find the access-log line.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyResponse } from './proxy-context.js';

export function errorBody(status: number, requestId: string): string {
  return `${status} ${STATUS_CODES[status] ?? 'Error'}\nrequest id: ${requestId}\n`;
}

/**
 * Writes a complete error response unless headers were already sent, in which case the only honest thing left
 * is to cut the connection (the client sees a truncated body, not a wrong one).
 */
export function sendErrorResponse(res: ProxyResponse, status: number, requestId: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.writableEnded) return;
  const body = errorBody(status, requestId);
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-request-id': requestId,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** For sockets without a ServerResponse (parse errors, upgrades): a raw HTTP/1.1 answer, then close. */
export function writeRawError(socket: Socket, status: number, requestId: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(status, requestId);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}
