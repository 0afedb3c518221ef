/*
 * A request as the engine parsed it. Middlewares and resolvers read it through `ProxyRequest` (node's shape);
 * the forwarder reads the parsed head directly. `headers` is built on first use: the usual request needs only
 * the Host header, read from the head.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { headerValue, type RequestHead } from '../http1/head.js';
import type { ProxyRequest } from './proxy-context.js';

export class IncomingRequest implements ProxyRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersionMinor: number;
  /** The Host header (undefined when absent). */
  readonly host: string | undefined;
  complete = false;
  private headerObject: IncomingHttpHeaders | undefined;

  constructor(
    readonly head: RequestHead,
    readonly socket: Socket,
  ) {
    this.method = head.method;
    this.url = head.target;
    this.httpVersionMinor = head.versionMinor;
    this.host = headerValue(head, 'host');
  }

  get headers(): IncomingHttpHeaders {
    return (this.headerObject ??= headerObjectOf(this.head));
  }

  /** The first value of a header (lowercase name), without building `headers`. */
  header(lower: string): string | undefined {
    return headerValue(this.head, lower);
  }
}

/** Node's joining of repeated headers: `set-cookie` is a list, `cookie` joins with `; `, the rest with `, `. */
function headerObjectOf(head: RequestHead): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  const { lowerNames, values } = head;
  for (let i = 0; i < lowerNames.length; i++) {
    const name = lowerNames[i] as string;
    const value = values[i] as string;
    const seen = out[name];
    if (seen === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = `${seen}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}
