import { describe, expect, it } from 'vitest';
import { parseRouteHost, requestHostKey } from './host-name.js';

describe('requestHostKey', () => {
  it.each<[string | undefined, string]>([
    ['api.example.com', 'api.example.com'],
    ['API.Example.Com', 'api.example.com'],
    ['api.example.com:8080', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['API.example.com.:443', 'api.example.com'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:8080', '::1'],
    ['[::1]', '::1'],
    ['[2001:DB8:0:0::1]:443', '2001:db8::1'],
    ['::1', '::1'],
    ['[::1', '::1'],
    [undefined, ''],
    ['', ''],
  ])('reads Host %j as %j', (header, key) => {
    expect(requestHostKey(header)).toBe(key);
  });
});

describe('parseRouteHost', () => {
  it.each([
    ['Api.Example.com.', { kind: 'exact', host: 'api.example.com' }],
    ['*.Example.com', { kind: 'wildcard', suffix: 'example.com' }],
    ['my_app.localhost', { kind: 'exact', host: 'my_app.localhost' }],
    ['[2001:db8::0:1]', { kind: 'exact', host: '2001:db8::1' }],
    ['::1', { kind: 'exact', host: '::1' }],
    ['10.0.0.1', { kind: 'exact', host: '10.0.0.1' }],
  ])('canonicalises %j', (text, host) => {
    expect(parseRouteHost(text)).toEqual(host);
  });
});
