/** A path into the compose model: `['services', 'web', 'ports', 0]`. */
export type PathSegment = string | number;
export type ModelPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Formats a path the way errors print it: `services.web.ports[0]`, `labels["traefik.enable"]`. */
export function formatPath(path: ModelPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
