import { describe, expect, it } from 'vitest';
import { resourcesFor } from './resources.js';
import { stackFrom } from './test-stack.js';

function resources(deployYaml: string): ReturnType<typeof resourcesFor> {
  return resourcesFor(stackFrom(`services:\n  web:\n    image: web:1\n${deployYaml}`).services.web!);
}

describe('resources', () => {
  it('maps limits and reservations to limits and requests (cpus → millicores, memory → Mi)', () => {
    expect(resources([
      '    deploy:', '      resources:',
      '        limits: {cpus: "0.5", memory: 512M}',
      '        reservations: {cpus: "0.25", memory: 1536k}',
    ].join('\n'))).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '2Mi' } });
  });

  it('emits only the side that is given', () => {
    expect(resources('    deploy:\n      resources:\n        limits: {memory: 1g}\n')).toEqual({ limits: { memory: '1024Mi' } });
  });

  it('emits nothing without deploy resources', () => {
    expect(resources('')).toBeUndefined();
  });
});
