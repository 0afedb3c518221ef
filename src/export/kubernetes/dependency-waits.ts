import { deployPolicy } from '../../deploy/strategy.js';
import type { Service } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import { mainPort } from './ports.js';

/** The image of the wait init containers: a shell and `nc`, nothing else. */
export const WAIT_IMAGE = 'busybox:1.36';

/** Annotation on a workload listing the Jobs that must complete before it is applied. */
export const AFTER_JOBS_ANNOTATION = 'berth.dev/apply-after-jobs';

/** Init containers and annotations that carry a service's `depends_on` over to a pod. */
export interface DependencyWaits {
  readonly initContainers: Record<string, unknown>[];
  readonly annotations: Record<string, string>;
}

/**
 * `depends_on` in a cluster, with no tools beyond busybox and no API access from the pod:
 * - service_started / service_healthy on a long-running service → an init container `wait-for-<dep>` that polls
 *   the dependency's Service port with `nc -z`. A Service only forwards to Ready pods, and Ready comes from the
 *   readiness probe (the healthcheck), so for service_healthy a successful connect means "healthy";
 * - service_completed_successfully on a Job → nothing a pod can check without RBAC: the Job is written before the
 *   Deployments, the workload is annotated with the Jobs it needs, and a warning says to run
 *   `kubectl wait --for=condition=complete job/<job>` before applying the rest;
 * - a dependency without a port cannot be waited for: warned about.
 */
export function dependencyWaits(ctx: ExportContext, service: Service): DependencyWaits {
  const initContainers: Record<string, unknown>[] = [];
  const jobs: string[] = [];
  for (const name of Object.keys(service.dependsOn).sort()) {
    const dependency = ctx.stack.services[name];
    const condition = service.dependsOn[name]?.condition;
    if (dependency === undefined || condition === undefined) continue;
    const path = `services.${service.name}.depends_on.${name}`;
    if (deployPolicy(dependency).strategy === 'job') {
      jobs.push(kubeName(name));
      if (condition !== 'service_completed_successfully') ctx.warn(path, `${name} is exported as a Job; ${condition} is treated as "apply after it completed"`);
      continue;
    }
    if (condition === 'service_completed_successfully') {
      ctx.warn(path, `${name} is a long-running Deployment, so service_completed_successfully cannot be waited for: left out`);
      continue;
    }
    const port = mainPort(dependency);
    if (port === undefined) {
      ctx.warn(path, `${name} has no port to wait for (${condition}): the pod starts without waiting`);
      continue;
    }
    if (condition === 'service_healthy' && dependency.healthcheck === undefined && dependency.berth.health === undefined) {
      ctx.warn(path, `${name} has no healthcheck: waiting only for its port`);
    }
    initContainers.push(waitContainer(kubeName(name), port));
  }
  if (jobs.length > 0) {
    ctx.warn(`services.${service.name}.depends_on`, `needs Job ${jobs.join(', ')} to complete first: apply the Jobs, run \`kubectl wait --for=condition=complete ${jobs.map((j) => `job/${j}`).join(' ')}\`, then apply the rest`);
  }
  return { initContainers, annotations: jobs.length > 0 ? { [AFTER_JOBS_ANNOTATION]: jobs.join(',') } : {} };
}

function waitContainer(host: string, port: number): Record<string, unknown> {
  return {
    name: `wait-for-${host}`.slice(0, 63),
    image: WAIT_IMAGE,
    command: ['sh', '-c', `until nc -z -w 2 ${host} ${port}; do echo waiting for ${host}:${port}; sleep 2; done`],
  };
}
