import type { ModelPath } from './model-path.js';
import { mapStringValues } from './map-string-values.js';
import type { StageContext } from './stage-context.js';

type CastKind = 'int' | 'float' | 'bool';

/**
 * The paths where compose-go turns an interpolated string into a number or a boolean (its loader's
 * `interpolateTypeCastMapping`), so that `replicas: ${N}` validates as an integer. `*` is any one key or index,
 * `[]` any list index. Published ports are not here: compose keeps them strings (`"8000-8010"` is valid).
 * compose-go's newest table also lists `jobs.*` and `services.*.pre_start.*`; those keys are not in the compose
 * spec berth reads, so they are left out.
 */
const SERVICE_CASTS: readonly (readonly [string, CastKind])[] = [
  ['configs.[].mode', 'int'],
  ['cpu_count', 'int'],
  ['cpu_percent', 'float'],
  ['cpu_period', 'int'],
  ['cpu_quota', 'int'],
  ['cpu_rt_period', 'int'],
  ['cpu_rt_runtime', 'int'],
  ['cpus', 'float'],
  ['cpu_shares', 'int'],
  ['depends_on.*.required', 'bool'],
  ['depends_on.*.restart', 'bool'],
  ['deploy.placement.max_replicas_per_node', 'int'],
  ['deploy.replicas', 'int'],
  ['deploy.restart_policy.max_attempts', 'int'],
  ['deploy.rollback_config.max_failure_ratio', 'float'],
  ['deploy.rollback_config.parallelism', 'int'],
  ['deploy.update_config.max_failure_ratio', 'float'],
  ['deploy.update_config.parallelism', 'int'],
  ['healthcheck.disable', 'bool'],
  ['healthcheck.retries', 'int'],
  ['init', 'bool'],
  ['oom_kill_disable', 'bool'],
  ['oom_score_adj', 'int'],
  ['pids_limit', 'int'],
  ['ports.[].target', 'int'],
  ['privileged', 'bool'],
  ['read_only', 'bool'],
  ['scale', 'int'],
  ['secrets.[].mode', 'int'],
  ['stdin_open', 'bool'],
  ['tty', 'bool'],
  ['ulimits.*', 'int'],
  ['ulimits.*.hard', 'int'],
  ['ulimits.*.soft', 'int'],
  ['volumes.[].read_only', 'bool'],
  ['volumes.[].volume.nocopy', 'bool'],
];

export const INTERPOLATION_CASTS: readonly { readonly pattern: readonly string[]; readonly kind: CastKind }[] = [
  ...SERVICE_CASTS.map(([path, kind]) => ({ pattern: ['services', '*', ...path.split('.')], kind })),
  ...['external', 'internal', 'attachable', 'enable_ipv4', 'enable_ipv6'].map((key) => ({
    pattern: ['networks', '*', key], kind: 'bool' as const,
  })),
  ...['volumes', 'secrets', 'configs'].map((section) => ({
    pattern: [section, '*', 'external'], kind: 'bool' as const,
  })),
];

/**
 * Casts the strings found at compose's typed paths (see INTERPOLATION_CASTS) after interpolation, as compose-go
 * does: integers are decimal (`+3`, `-1` allowed), numbers are decimal with an optional exponent, booleans are
 * `true`/`false` in any case — and YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n`, which compose still accepts with a
 * warning. Any string at such a path is cast, written `"3"` or `${N}` alike; non-strings are left as they are.
 * A string that does not cast is a SPEC_TYPE error at its path and keeps its text. Returns a new tree.
 */
export function castInterpolatedTypes(value: unknown, ctx: StageContext): unknown {
  return mapStringValues(value, (text, path) => {
    const rule = INTERPOLATION_CASTS.find((cast) => matches(cast.pattern, path));
    return rule ? castValue(text, rule.kind, path, ctx) : text;
  });
}

function matches(pattern: readonly string[], path: ModelPath): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((part, i) => {
    const segment = path[i];
    if (part === '*') return true;
    if (part === '[]') return typeof segment === 'number';
    return part === segment;
  });
}

function castValue(text: string, kind: CastKind, path: ModelPath, ctx: StageContext): unknown {
  switch (kind) {
    case 'int': {
      const parsed = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (Number.isSafeInteger(parsed)) return parsed;
      ctx.error('SPEC_TYPE', path, `expected an integer, got ${JSON.stringify(text)}`, {
        hint: 'write a whole number such as 3; if the value comes from a variable, check what that variable is set to',
      });
      return text;
    }
    case 'float': {
      const parsed = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
      if (Number.isFinite(parsed)) return parsed;
      ctx.error('SPEC_TYPE', path, `expected a number, got ${JSON.stringify(text)}`, {
        hint: 'write a number such as 0.5; if the value comes from a variable, check what that variable is set to',
      });
      return text;
    }
    case 'bool':
      return castBoolean(text, path, ctx);
  }
}

const YAML11_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['y', true], ['yes', true], ['on', true], ['n', false], ['no', false], ['off', false],
]);

function castBoolean(text: string, path: ModelPath, ctx: StageContext): unknown {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  const legacy = YAML11_BOOLEANS.get(lower);
  if (legacy !== undefined) {
    // compose's own warning, word for word.
    ctx.warn(path, `${JSON.stringify(text)} for boolean is not supported by YAML 1.2, please use \`${legacy}\``);
    return legacy;
  }
  ctx.error('SPEC_TYPE', path, `expected a boolean, got ${JSON.stringify(text)}`, {
    hint: 'write true or false; if the value comes from a variable, check what that variable is set to',
  });
  return text;
}
