import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { fromWireError, LineSplitter, parseClientMessage, parseServerMessage, toWireError } from './rpc-protocol.js';

describe('errors on the wire', () => {
  it.each([
    ['a BerthError keeps its code, message, hint and path', new BerthError('RUNTIME_INSTANCE_STATE', 'replica x is running', { hint: 'stop it first', path: 'services.web' }),
      { name: 'BerthError', code: 'RUNTIME_INSTANCE_STATE', message: 'replica x is running', hint: 'stop it first', path: 'services.web' }],
    ['a RangeError stays a RangeError', new RangeError('weight must be ≥ 0'), { name: 'RangeError', message: 'weight must be ≥ 0' }],
    ['any other error becomes an Error with its message', new Error('boom'), { name: 'Error', message: 'boom' }],
  ])('%s', (_name, error, expected) => {
    const rebuilt = fromWireError(JSON.parse(JSON.stringify(toWireError(error))));
    expect(rebuilt).toMatchObject(expected);
    expect(rebuilt.constructor).toBe(error.constructor);
  });

  it('keeps the issues of an aggregate error', () => {
    const error = new BerthError('SPEC_INVALID', '2 problems found', { issues: [new BerthError('RUNTIME_UNRUNNABLE', 'a'), new BerthError('RUNTIME_UNRUNNABLE', 'b')] });
    const rebuilt = fromWireError(toWireError(error)) as BerthError;
    expect(rebuilt.issues.map((issue) => [issue.code, issue.message])).toEqual([['RUNTIME_UNRUNNABLE', 'a'], ['RUNTIME_UNRUNNABLE', 'b']]);
  });
});

describe('messages', () => {
  it.each([
    ['{"id":1,"method":"ping","params":{}}', { id: 1, method: 'ping', params: {} }],
    ['{"id":2,"cancel":true}', { id: 2, cancel: true }],
    ['{"id":"1","method":"ping"}', undefined],
    ['{"method":"ping"}', undefined],
    ['not json', undefined],
    ['[1]', undefined],
  ])('parses client line %s', (line, expected) => {
    expect(parseClientMessage(line)).toEqual(expected);
  });

  it.each([
    ['{"id":1,"result":null}', { id: 1, result: null }],
    ['{"id":1,"event":{"a":1}}', { id: 1, event: { a: 1 } }],
    ['{"id":1,"error":{"code":"USAGE","message":"m"}}', { id: 1, error: { code: 'USAGE', message: 'm' } }],
    ['{"id":1,"error":"m"}', undefined],
    ['{"id":1}', undefined],
  ])('parses plane line %s', (line, expected) => {
    expect(parseServerMessage(line)).toEqual(expected);
  });

  it('splits lines across chunks, a multi-byte character split between two chunks included', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('{"t":"é"}\n{"t":"b"}\n{"t":', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    splitter.push(bytes.subarray(0, cut));
    splitter.push(bytes.subarray(cut));
    splitter.push(Buffer.from('"c"}\n'));
    expect(lines).toEqual(['{"t":"é"}', '{"t":"b"}', '{"t":"c"}']);
  });
});
