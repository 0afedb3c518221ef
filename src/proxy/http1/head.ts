/**
 * The parsed head of an HTTP/1.x message. All strings are latin1 (one char per byte, as received): write them back
 * with the `latin1` encoding to reproduce the bytes exactly. A head holds no body and knows nothing of framing
 * (see framing.ts).
 */
export interface MessageHead {
  /** Header field names as sent (case kept), values with surrounding OWS trimmed, in order; parallel arrays. */
  readonly names: readonly string[];
  readonly values: readonly string[];
  /** names lowercased (ASCII), parallel to names. */
  readonly lowerNames: readonly string[];
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly versionMinor: 0 | 1;
}

/**
 * A request head: method is one Node's parser knows (case-sensitive), target is the request-target exactly as sent
 * (visible ASCII only).
 */
export interface RequestHead extends MessageHead {
  readonly method: string;
  readonly target: string;
}

/** A response head: status in 100..999, reason phrase as sent (may be empty). */
export interface ResponseHead extends MessageHead {
  readonly status: number;
  readonly reason: string;
}

/**
 * What a head parser says about the bytes it was given:
 * - `incomplete`: no end of head yet and the bytes are below the limit: call again with more bytes;
 * - `done`: `length` bytes from `start` make the head, including leading empty lines and the final CRLF CRLF;
 * - `error`: the head is malformed or too large; `status` is the response to send (requests: 400, 431, 505; the
 *   parsed response of an upstream: 502), `reason` says why, for logs.
 */
export type HeadResult<T> =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'done'; readonly head: T; readonly length: number }
  | { readonly kind: 'error'; readonly status: number; readonly reason: string };

/** Most header fields a head may have (more → 431 for a request, 502 for a response). */
export const MAX_HEADER_FIELDS = 100;

/** The one `incomplete` result (no allocation per call). */
export const INCOMPLETE: { readonly kind: 'incomplete' } = Object.freeze({ kind: 'incomplete' });

/** Value of the first header named `lower` (lowercase), or undefined. */
export function headerValue(head: MessageHead, lower: string): string | undefined {
  const lowerNames = head.lowerNames;
  for (let i = 0; i < lowerNames.length; i++) {
    if (lowerNames[i] === lower) return head.values[i];
  }
  return undefined;
}

/** How many header fields are named `lower` (lowercase). */
export function headerCount(head: MessageHead, lower: string): number {
  let n = 0;
  for (const name of head.lowerNames) if (name === lower) n++;
  return n;
}
