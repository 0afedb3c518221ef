import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isOverrideMarker, isResetMarker, OverrideMarker } from '../yaml-tags.js';
import { canonicalBuild } from './build.js';
import { canonicalDependsOn } from './depends-on.js';
import { canonicalDevice } from './devices.js';
import { canonicalEnvFile } from './env-file.js';
import { canonicalEnvironment } from './environment.js';
import { canonicalExtends } from './extends.js';
import { canonicalMaybeExternal } from './external.js';
import { canonicalExtraHosts } from './extra-hosts.js';
import { canonicalLabels } from './labels.js';
import { canonicalServiceNetworks } from './networks.js';
import { canonicalPorts } from './ports.js';
import { canonicalFileReference } from './secrets.js';
import { canonicalStringOrList } from './string-or-list.js';
import { isDict, type CanonicalTransform, type Dict } from './transform.js';
import { canonicalVolume } from './volumes.js';

/**
 * The short-form rewrites, keyed by model path; `*` matches any one key or list index. The value a transform
 * returns is walked again, so nested patterns (`services.*.build` then `services.*.build.args`) both apply.
 * `healthcheck`, `command` and `entrypoint` keep their short forms here: normalize reads both forms.
 */
export const CANONICAL_TRANSFORMS: ReadonlyArray<readonly [pattern: string, transform: CanonicalTransform]> = [
  ['services.*.ports', canonicalPorts],
  ['services.*.volumes.*', canonicalVolume],
  ['services.*.environment', canonicalEnvironment],
  ['services.*.env_file', canonicalEnvFile],
  ['services.*.depends_on', canonicalDependsOn],
  ['services.*.networks', canonicalServiceNetworks],
  ['services.*.extends', canonicalExtends],
  ['services.*.secrets.*', canonicalFileReference],
  ['services.*.configs.*', canonicalFileReference],
  ['services.*.labels', canonicalLabels],
  ['services.*.annotations', canonicalLabels],
  ['services.*.sysctls', canonicalLabels],
  ['services.*.extra_hosts', canonicalExtraHosts],
  ['services.*.devices.*', canonicalDevice],
  ['services.*.dns', canonicalStringOrList],
  ['services.*.deploy.labels', canonicalLabels],
  ['services.*.build', canonicalBuild],
  ['services.*.build.args', canonicalEnvironment],
  ['services.*.build.labels', canonicalLabels],
  ['services.*.build.additional_contexts', canonicalLabels],
  ['services.*.build.extra_hosts', canonicalExtraHosts],
  ['services.*.build.secrets.*', canonicalFileReference],
  ['volumes.*', canonicalMaybeExternal],
  ['networks.*', canonicalMaybeExternal],
  ['secrets.*', canonicalMaybeExternal],
  ['configs.*', canonicalMaybeExternal],
  ['volumes.*.labels', canonicalLabels],
  ['networks.*.labels', canonicalLabels],
  ['secrets.*.labels', canonicalLabels],
  ['configs.*.labels', canonicalLabels],
];

const COMPILED = CANONICAL_TRANSFORMS.map(([pattern, transform]) => ({ segments: pattern.split('.'), transform }));

/**
 * Turns every short syntax of one compose file into compose's long syntax (compose-go `transform.Canonical`),
 * keeping snake_case keys; runs per file, before files are merged, so that merging compares like with like.
 * Returns a new tree (the input is not changed). `!reset` markers are left in place and the value inside an
 * `!override` marker is canonicalized. Problems are reported into `ctx`; the offending value is kept as written.
 */
export function canonicalize(dict: Record<string, unknown>, ctx: StageContext): Record<string, unknown> {
  return walk(dict, [], ctx) as Record<string, unknown>;
}

function walk(value: unknown, path: ModelPath, ctx: StageContext): unknown {
  if (isResetMarker(value)) return value;
  if (isOverrideMarker(value)) return new OverrideMarker(walk(value.value, path, ctx));
  const transform = transformFor(path);
  const result = transform ? transform(value, path, ctx) : value;
  if (Array.isArray(result)) return result.map((item, index) => walk(item, [...path, index], ctx));
  if (!isDict(result)) return result;
  const out: Dict = {};
  for (const [key, child] of Object.entries(result)) out[key] = walk(child, [...path, key], ctx);
  return out;
}

function transformFor(path: ModelPath): CanonicalTransform | undefined {
  for (const { segments, transform } of COMPILED) {
    if (segments.length === path.length && segments.every((segment, i) => segment === '*' || segment === String(path[i]))) {
      return transform;
    }
  }
  return undefined;
}
