import fc from 'fast-check';
import { METHODS } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_FIELDS } from './head.js';
import { parseRequestHead } from './parse-request-head.js';
import { parseResponseHead } from './parse-response-head.js';

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);
/** A field value as parsed back: no CTL but HTAB, obs-text allowed, no OWS at either end. */
const fieldValue = fc
  .array(fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09)), {
    maxLength: 40,
  })
  .map((codes) => String.fromCharCode(...codes).replace(/^[ \t]+|[ \t]+$/g, ''));
const ows = fc.constantFrom('', ' ', '\t', '  ', ' \t ');
/** An origin-form target of any visible ASCII. */
const target = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { maxLength: 60 })
  .map((codes) => `/${String.fromCharCode(...codes)}`);
const fields = fc
  .array(fc.tuple(token, fieldValue, ows, ows), { maxLength: MAX_HEADER_FIELDS - 1 })
  .map((list) => list.filter(([name]) => name.toLowerCase() !== 'host'));

function fieldLines(list: readonly (readonly [string, string, string, string])[]): string {
  return list.map(([name, value, before, after]) => `${name}:${before}${value}${after}\r\n`).join('');
}

describe('head parsers: round trip of random valid heads', () => {
  it('parses back method, target, names and values of a serialized request head, also split anywhere', () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHODS.filter((m) => m !== 'CONNECT')), target, fc.constantFrom(0, 1), fields, fc.nat(), (method, path, minor, list, cutSeed) => {
        const text = `${method} ${path} HTTP/1.${minor}\r\nHost: h\r\n${fieldLines(list)}\r\n`;
        const bytes = Buffer.from(text, 'latin1');
        const result = parseRequestHead(bytes, 0, 64 * 1024);
        expect(result.kind).toBe('done');
        if (result.kind !== 'done') return;
        const { head } = result;
        expect(result.length).toBe(bytes.length);
        expect([head.method, head.target, head.versionMinor]).toEqual([method, path, minor]);
        expect(head.names).toEqual(['Host', ...list.map(([n]) => n)]);
        expect(head.lowerNames).toEqual(head.names.map((n) => n.toLowerCase()));
        expect(head.values).toEqual(['h', ...list.map(([, v]) => v)]);
        expect(parseRequestHead(bytes.subarray(0, cutSeed % bytes.length), 0, 64 * 1024).kind).toBe('incomplete');
      }),
      { numRuns: 300 },
    );
  });

  it('parses back status, reason, names and values of a serialized response head', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 999 }), fieldValue, fc.constantFrom(0, 1), fields, (status, reason, minor, list) => {
        const text = `HTTP/1.${minor} ${status} ${reason}\r\n${fieldLines(list)}\r\n`;
        const result = parseResponseHead(Buffer.from(text, 'latin1'), 0, 64 * 1024);
        expect(result.kind).toBe('done');
        if (result.kind !== 'done') return;
        expect([result.head.status, result.head.reason, result.head.versionMinor]).toEqual([status, reason, minor]);
        expect(result.head.names).toEqual(list.map(([n]) => n));
        expect(result.head.values).toEqual(list.map(([, v]) => v));
      }),
      { numRuns: 300 },
    );
  });
});
