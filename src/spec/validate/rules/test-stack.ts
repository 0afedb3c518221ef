import type { Service, Stack } from '../../../model/stack.js';

/**
 * Test-only builders: a Stack or Service with every required field at its default, so a rule's test states only
 * what the rule looks at.
 */
export function testService(name: string, fields: Partial<Service> = {}): Service {
  return {
    name,
    image: 'alpine',
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    dependsOn: {},
    restart: { kind: 'no' },
    replicas: 1,
    networks: {},
    labels: {},
    profiles: [],
    stopSignal: 'SIGTERM',
    stopGracePeriodMs: 10_000,
    secrets: [],
    configs: [],
    extensions: {},
    other: {},
    berth: { routes: [], other: {} },
    ...fields,
  };
}

export function testStack(services: readonly Service[], fields: Partial<Stack> = {}): Stack {
  return {
    name: 'demo',
    projectDir: '/demo',
    files: ['/demo/compose.yml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    profiles: [],
    extensions: {},
    berth: { other: {} },
    ...fields,
  };
}
