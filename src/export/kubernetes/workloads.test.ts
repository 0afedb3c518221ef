import { describe, expect, it } from 'vitest';
import { exportKubernetes } from './export-kubernetes.js';
import type { KubeObject } from './manifest.js';
import { stackFrom } from './test-stack.js';

function objects(compose: string): KubeObject[] {
  return exportKubernetes(stackFrom(compose)).objects.map((o) => o.object);
}

function find(list: KubeObject[], kind: string, name: string): Record<string, unknown> {
  const found = list.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return JSON.parse(JSON.stringify(found)) as Record<string, unknown>;
}

describe('jobs and deployments', () => {
  it.each([
    ['"no"', 'Never', 0],
    ['on-failure:3', 'OnFailure', 3],
    ['on-failure', 'OnFailure', 6],
  ])('a one-shot service with restart %s is a Job (%s, backoffLimit %i)', (restart, policy, backoffLimit) => {
    const list = objects(`services:\n  migrate:\n    image: app:1\n    command: ./migrate\n    restart: ${restart}\n    deploy: {mode: replicated-job}\n`);
    const job = find(list, 'Job', 'migrate') as { spec: { backoffLimit: number; template: { spec: { restartPolicy: string; containers: { args: string[] }[] } } } };
    expect(job.spec.backoffLimit).toBe(backoffLimit);
    expect(job.spec.template.spec.restartPolicy).toBe(policy);
    expect(job.spec.template.spec.containers[0]?.args).toEqual(['./migrate']);
    expect(list.some((o) => o.kind === 'Deployment')).toBe(false);
  });

  it('writes Jobs before Deployments and annotates the Deployments that need them', () => {
    const list = objects([
      'services:',
      '  migrate: {image: app:1, restart: "no"}',
      '  web:',
      '    image: app:1',
      '    expose: ["80"]',
      '    depends_on: {migrate: {condition: service_completed_successfully}}',
    ].join('\n'));
    expect(list.map((o) => o.kind)).toEqual(['Service', 'Job', 'Deployment']);
    expect(find(list, 'Deployment', 'web')).toMatchObject({ metadata: { annotations: { 'berth.dev/apply-after-jobs': 'migrate' } } });
  });

  it('maps entrypoint to command and command to args, with replicas and labels', () => {
    const list = objects('services:\n  web:\n    image: app:1\n    restart: always\n    entrypoint: [tini, --]\n    command: [serve, --port, "80"]\n    deploy: {replicas: 3}\n');
    expect(find(list, 'Deployment', 'web')).toMatchObject({
      metadata: { labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/part-of': 'berth' } },
      spec: { replicas: 3, template: { spec: { containers: [{ command: ['tini', '--'], args: ['serve', '--port', '80'] }] } } },
    });
  });

  it('names the image of a build-only service after the project and says to build and push it', () => {
    const result = exportKubernetes(stackFrom('services:\n  web:\n    build: ./web\n    restart: always\n'));
    const deployment = result.objects.find((o) => o.object.kind === 'Deployment')!.object as unknown as { metadata: { annotations: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('shop-web:latest');
    expect(deployment.metadata.annotations['berth.dev/build']).toMatch(/^build web \(Dockerfile\) and push it as shop-web:latest/);
    expect(result.warnings.some((w) => w.path === 'services.web.build')).toBe(true);
  });

  it('makes a ClusterIP Service named after the compose service with its ports', () => {
    const list = objects('services:\n  db:\n    image: postgres:16\n    ports: ["5433:5432"]\n    expose: ["9187"]\n');
    expect(find(list, 'Service', 'db')).toMatchObject({
      spec: {
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'shop' },
        ports: [
          { name: 'tcp-5432', port: 5432, targetPort: 'tcp-5432', protocol: 'TCP' },
          { name: 'tcp-9187', port: 9187, targetPort: 'tcp-9187', protocol: 'TCP' },
        ],
      },
    });
  });

  it('gives a well-known database image without ports its standard port', () => {
    const list = objects('services:\n  cache:\n    image: redis:7-alpine\n    restart: always\n');
    expect(find(list, 'Service', 'cache')).toMatchObject({ spec: { ports: [{ port: 6379 }] } });
  });
});

describe('values Kubernetes would expand', () => {
  it('escapes $( in args and env so the container sees what compose passed', () => {
    const list = objects('services:\n  web:\n    image: app:1\n    restart: always\n    command: [sh, -c, "echo $$(date)"]\n    environment: {GREETING: "hi $$(whoami)"}\n');
    expect(find(list, 'Deployment', 'web')).toMatchObject({
      spec: { template: { spec: { containers: [{ args: ['sh', '-c', 'echo $$(date)'], env: [{ name: 'GREETING', value: 'hi $$(whoami)' }] }] } } },
    });
  });
});
