import type { BuildSpec } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import { resolveBare } from './environment.js';
import { resolveBuildContext } from './paths.js';
import { otherKeys, readDict, readString, readStringMap } from './read.js';
import type { NormalizeScope } from './scope.js';

const BUILD_KEYS = new Set(['context', 'dockerfile', 'args', 'target', 'labels']);

/**
 * `build:` → BuildSpec: context `.` by default and absolute unless it is a URL; dockerfile `Dockerfile` unless
 * `dockerfile_inline` is used; args without a value looked up like environment. Other keys are kept verbatim.
 */
export function readBuild(value: unknown, scope: NormalizeScope, path: ModelPath): BuildSpec | undefined {
  if (value === undefined || value === null) return undefined;
  const { ctx } = scope;
  const dict = readDict(value, ctx, path);
  if (!dict) return undefined;
  const context = readString(dict.context, ctx, [...path, 'context']) ?? '.';
  const dockerfile = readString(dict.dockerfile, ctx, [...path, 'dockerfile']) ?? (dict.dockerfile_inline === undefined ? 'Dockerfile' : '');
  const target = readString(dict.target, ctx, [...path, 'target']);
  return {
    context: resolveBuildContext(context, scope.base),
    dockerfile,
    args: resolveBare(readStringMap(dict.args, ctx, [...path, 'args'], null), scope),
    ...(target === undefined ? {} : { target }),
    labels: readStringMap(dict.labels, ctx, [...path, 'labels'], ''),
    other: otherKeys(dict, BUILD_KEYS),
  };
}
