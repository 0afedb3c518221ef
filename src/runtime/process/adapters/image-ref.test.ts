import { describe, expect, it } from 'vitest';
import { parseImageRef } from './image-ref.js';
import { AdapterRegistry } from './registry.js';

describe('parseImageRef', () => {
  it.each([
    ['postgres', { repository: 'postgres' }],
    ['postgres:16', { repository: 'postgres', tag: '16', major: 16 }],
    ['postgres:15-alpine', { repository: 'postgres', tag: '15-alpine', major: 15 }],
    ['library/postgres:17.2', { repository: 'postgres', tag: '17.2', major: 17 }],
    ['docker.io/library/redis:7-alpine', { repository: 'redis', tag: '7-alpine', major: 7 }],
    ['index.docker.io/library/redis@sha256:abc', { repository: 'redis' }],
    ['redis:alpine@sha256:abc', { repository: 'redis', tag: 'alpine' }],
    ['bitnami/redis:7.2', { repository: 'bitnami/redis', tag: '7.2', major: 7 }],
    ['localhost:5000/postgres:16', { repository: 'localhost:5000/postgres', tag: '16', major: 16 }],
    ['mcr.microsoft.com/mssql/server:2019-latest', { repository: 'mcr.microsoft.com/mssql/server', tag: '2019-latest', major: 2019 }],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toEqual(expected);
  });
});

describe('AdapterRegistry', () => {
  const registry = AdapterRegistry.standard();
  it.each([
    ['postgres:16-alpine', 'postgres'],
    ['docker.io/library/postgres', 'postgres'],
    ['redis:7-alpine', 'redis'],
    ['library/redis', 'redis'],
    ['bitnami/redis', undefined],
    ['nginx:alpine', undefined],
    [undefined, undefined],
  ])('%s → %s', (image, adapter) => {
    expect(registry.match(image)?.adapter.name).toBe(adapter);
  });
});
