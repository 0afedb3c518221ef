import { describe, expect, it } from 'vitest';
import { interpolateTree } from './interpolate.js';
import { castInterpolatedTypes } from './interpolation-casts.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';
import { OverrideMarker } from './yaml-tags.js';

function cast(value: unknown): { out: unknown; ctx: StageContext } {
  const ctx = new StageContext();
  return { out: castInterpolatedTypes(value, ctx), ctx };
}

/** Puts `value` at `path` (dotted; numeric parts are list indices) inside an otherwise empty tree. */
function at(path: string, value: unknown): unknown {
  return path.split('.').reverse().reduce<unknown>((inner, part) => {
    if (/^\d+$/.test(part)) return [...Array<unknown>(Number(part)).fill('x'), inner];
    return { [part]: inner };
  }, value);
}

describe('castInterpolatedTypes', () => {
  it.each([
    ['services.web.deploy.replicas', '3', 3],
    ['services.web.scale', '+2', 2],
    ['services.web.healthcheck.retries', '007', 7],
    ['services.web.oom_score_adj', '-500', -500],
    ['services.web.pids_limit', '100', 100],
    ['services.web.cpu_shares', '512', 512],
    ['services.web.ports.0.target', '80', 80],
    ['services.web.secrets.1.mode', '0440', 440],
    ['services.web.configs.0.mode', '292', 292],
    ['services.web.ulimits.nproc', '65535', 65535],
    ['services.web.ulimits.nofile.soft', '1024', 1024],
    ['services.web.ulimits.nofile.hard', '2048', 2048],
    ['services.web.deploy.restart_policy.max_attempts', '5', 5],
    ['services.web.deploy.update_config.parallelism', '2', 2],
    ['services.web.deploy.placement.max_replicas_per_node', '1', 1],
    ['services.web.cpus', '0.5', 0.5],
    ['services.web.cpu_percent', '50', 50],
    ['services.web.deploy.update_config.max_failure_ratio', '.25', 0.25],
    ['services.web.deploy.rollback_config.max_failure_ratio', '1e-1', 0.1],
    ['services.web.read_only', 'true', true],
    ['services.web.privileged', 'FALSE', false],
    ['services.web.init', 'True', true],
    ['services.web.tty', 'false', false],
    ['services.web.stdin_open', 'true', true],
    ['services.web.oom_kill_disable', 'true', true],
    ['services.web.healthcheck.disable', 'true', true],
    ['services.web.depends_on.db.required', 'false', false],
    ['services.web.depends_on.db.restart', 'true', true],
    ['services.web.volumes.0.read_only', 'true', true],
    ['services.web.volumes.0.volume.nocopy', 'true', true],
    ['networks.front.external', 'true', true],
    ['networks.front.internal', 'false', false],
    ['networks.front.attachable', 'true', true],
    ['networks.front.enable_ipv6', 'true', true],
    ['networks.front.enable_ipv4', 'false', false],
    ['volumes.data.external', 'true', true],
    ['secrets.token.external', 'true', true],
    ['configs.nginx.external', 'false', false],
  ])('casts the string at %s', (path, text, expected) => {
    const { out, ctx } = cast(at(path, text));
    expect(out).toEqual(at(path, expected));
    expect(ctx.issues).toEqual([]);
    expect(ctx.warnings).toEqual([]);
  });

  it.each([
    ['services.web.ports.0.published', '8080'],
    ['services.web.ports.0', '8080:80'],
    ['services.web.volumes.0', './data:/data:ro'],
    ['services.web.image', '3'],
    ['services.web.environment.REPLICAS', '3'],
    ['services.web.labels.read_only', 'true'],
    ['x-deploy.replicas', '3'],
    ['services.web.deploy.resources.limits.cpus', '0.5'],
  ])('leaves the string at %s alone', (path, text) => {
    expect(cast(at(path, text)).out).toEqual(at(path, text));
  });

  it('leaves values that are already numbers or booleans alone', () => {
    const tree = { services: { web: { deploy: { replicas: 2 }, read_only: false, scale: null } } };
    expect(cast(tree).out).toEqual(tree);
  });

  it.each([
    ['yes', true], ['On', true], ['y', true], ['no', false], ['OFF', false], ['n', false],
  ])('accepts YAML 1.1 boolean %j with compose\'s warning', (text, expected) => {
    const { out, ctx } = cast(at('services.web.tty', text));
    expect(out).toEqual(at('services.web.tty', expected));
    expect(ctx.warnings).toEqual([{
      message: `"${text}" for boolean is not supported by YAML 1.2, please use \`${String(expected)}\``,
      path: 'services.web.tty', source: undefined,
    }]);
  });

  it.each([
    ['services.web.deploy.replicas', 'abc', 'expected an integer, got "abc"'],
    ['services.web.deploy.replicas', '', 'expected an integer, got ""'],
    ['services.web.scale', '1.5', 'expected an integer, got "1.5"'],
    ['services.web.scale', ' 3', 'expected an integer, got " 3"'],
    ['services.web.scale', '99999999999999999999', 'expected an integer, got "99999999999999999999"'],
    ['services.web.cpus', 'half', 'expected a number, got "half"'],
    ['services.web.privileged', 'maybe', 'expected a boolean, got "maybe"'],
    ['networks.n.external', '1', 'expected a boolean, got "1"'],
    ['services.web.tty', 'constructor', 'expected a boolean, got "constructor"'],
  ])('reports %s = %j as SPEC_TYPE', (path, text, message) => {
    const { out, ctx } = cast(at(path, text));
    expect(out).toEqual(at(path, text));
    expect(ctx.issues).toHaveLength(1);
    expect(ctx.issues[0]).toMatchObject({ code: 'SPEC_TYPE', message, path: path.replace(/\.(\d+)/g, '[$1]') });
    expect(ctx.issues[0]?.hint).toBeTruthy();
  });

  it('locates a failed cast of an interpolated value in the file', () => {
    const parsed = parseYaml('services:\n  web:\n    deploy:\n      replicas: ${N}\n', 'compose.yml');
    const ctx = new StageContext(parsed.sources);
    castInterpolatedTypes(interpolateTree(parsed.value, ctx, { N: 'abc' }), ctx);
    expect(ctx.issues.map((issue) => issue.format())).toEqual([
      'compose.yml:4:17 SPEC_TYPE services.web.deploy.replicas: expected an integer, got "abc"\n' +
        "  hint: write a whole number such as 3; if the value comes from a variable, check what that variable is set to",
    ]);
  });

  it('casts inside an !override value at the path of its key', () => {
    const { out } = cast({ services: { web: new OverrideMarker({ replicas: '1', deploy: { replicas: '4' } }) } });
    const web = (out as { services: { web: OverrideMarker } }).services.web;
    expect(web).toBeInstanceOf(OverrideMarker);
    expect(web.value).toEqual({ replicas: '1', deploy: { replicas: 4 } });
  });
});
