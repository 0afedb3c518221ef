import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ExportedObject } from './manifest.js';
import { renderFiles, renderStream } from './render-manifests.js';

const OBJECTS: ExportedObject[] = [
  { object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels: { z: '1', a: '2' } }, type: 'Opaque', stringData: { K: '<set me>' } }, comment: 'set me' },
  { object: { kind: 'Service', spec: { type: 'ClusterIP', ports: [{ port: 80, name: 'tcp-80' }] }, apiVersion: 'v1', metadata: { name: 'web' } } },
];

describe('rendering manifests', () => {
  it('writes a multi-document stream with apiVersion, kind, metadata first and every other key sorted', () => {
    expect(renderStream(OBJECTS)).toBe([
      '# set me',
      'apiVersion: v1', 'kind: Secret', 'metadata:', '  labels:', '    a: "2"', '    z: "1"', '  name: s', 'stringData:', '  K: <set me>', 'type: Opaque',
      '---',
      'apiVersion: v1', 'kind: Service', 'metadata:', '  name: web', 'spec:', '  ports:', '    - name: tcp-80', '      port: 80', '  type: ClusterIP',
      '',
    ].join('\n'));
  });

  it('round-trips through a YAML parser', () => {
    const documents = parseAllDocuments(renderStream(OBJECTS));
    expect(Array.isArray(documents) && documents.map((d) => d.toJSON() as unknown)).toEqual(OBJECTS.map((o) => o.object));
  });

  it('names files by stream position, kind and name so kubectl applies them in order', () => {
    expect(renderFiles(OBJECTS).map((f) => f.file)).toEqual(['01-secret-s.yaml', '02-service-web.yaml']);
  });
});
