import type { StackRule } from './stack-rule.js';

/**
 * A `container_name` belongs to one container: no two services share one, and a service with one runs a single
 * replica (compose: "can't set container_name and … as container name must be unique").
 */
export const containerNamesAreUnique: StackRule = (stack, ctx) => {
  const owners = new Map<string, string>();
  for (const service of Object.values(stack.services)) {
    const name = service.containerName;
    if (name === undefined) continue;
    const path = ['services', service.name, 'container_name'];
    const owner = owners.get(name);
    if (owner !== undefined) {
      ctx.error('SPEC_SCHEMA', path, `container_name \`${name}\` is used by both \`${owner}\` and \`${service.name}\``, {
        hint: 'give each service its own container_name, or remove it and let compose name the containers',
      });
    } else {
      owners.set(name, service.name);
    }
    if (service.replicas > 1) {
      ctx.error('SPEC_SCHEMA', path,
        `container_name \`${name}\` cannot be used with ${service.replicas} replicas: each container needs its own name`, {
          hint: 'remove container_name (replicas are then named <project>-<service>-1, -2, …) or run one replica',
        });
    }
  }
};
