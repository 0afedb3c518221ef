import { describe, expect, it } from 'vitest';
import { interpolateString, interpolateTree, unsetVariableWarning } from './interpolate.js';
import { parseYaml } from './parse-yaml.js';
import { StageContext } from './stage-context.js';
import { OverrideMarker, ResetMarker } from './yaml-tags.js';

const VARS = { FOO: 'foo', BAR: 'bar', EMPTY: '', SPACED: 'a b' };

describe('interpolateString', () => {
  it.each([
    ['text without variables', 'plain text', 'plain text', []],
    ['a bare name', '$FOO', 'foo', []],
    ['a braced name', '${FOO}', 'foo', []],
    ['names inside text', 'x${FOO}y$BAR', 'xfooybar', []],
    ['a bare name up to the first non-name character', '$FOO.bar/$FOO-x', 'foo.bar/foo-x', []],
    ['a bare name that swallows trailing name characters', '$FOO_bar', '', ['FOO_bar']],
    ['a braced name followed by name characters', '${FOO}_bar', 'foo_bar', []],
    ['a value with spaces as it is', '${SPACED}', 'a b', []],
    ['names case-sensitively', '${foo}', '', ['foo']],
    ['names starting with an underscore', '${_X}$_Y', '', ['_X', '_Y']],
    ['$$ as a literal $', 'a$$b', 'a$b', []],
    ['$$NAME as literal text', '$$FOO', '$FOO', []],
    ['$${NAME} as literal text', '$${FOO}', '${FOO}', []],
    ['$$$NAME as $ then the value', '$$$FOO', '$foo', []],
    ['a lone $ at the end', 'costs 5$', 'costs 5$', []],
    ['a $ before a space', '$ 5', '$ 5', []],
    ['a $ before a digit', '$1 and $2', '$1 and $2', []],
    ['a $ before punctuation', '$-x $! $/', '$-x $! $/', []],
    ['an unset variable as empty', 'a${UNSET}b', 'ab', ['UNSET']],
    ['each unset use, in order', '$U1 ${U2} $U1', '  ', ['U1', 'U2', 'U1']],
    [':- with a set value', '${FOO:-default}', 'foo', []],
    [':- with an unset value', '${UNSET:-default}', 'default', []],
    [':- with an empty value', '${EMPTY:-default}', 'default', []],
    ['- with an empty value', '${EMPTY-default}', '', []],
    ['- with an unset value', '${UNSET-default}', 'default', []],
    [':- with an empty default', '${UNSET:-}', '', []],
    [':+ with a set value', '${FOO:+alt}', 'alt', []],
    [':+ with an empty value', '${EMPTY:+alt}', '', []],
    [':+ with an unset value', '${UNSET:+alt}', '', []],
    ['+ with an empty value', '${EMPTY+alt}', 'alt', []],
    ['+ with an unset value', '${UNSET+alt}', '', []],
    ['a default with spaces and punctuation', '${UNSET:-a b, c=d}', 'a b, c=d', []],
    ['a nested default', '${UNSET:-${BAR}}', 'bar', []],
    ['two levels of nested defaults', '${U1:-${U2:-x}}', 'x', []],
    ['a nested default with text around it', '${UNSET:-<${BAR}>}', '<bar>', []],
    ['an unused nested default without evaluating it', '${FOO:-${UNSET}}', 'foo', []],
    ['an unset variable inside a used default', '${U1:-${U2}}', '', ['U2']],
    ['two expressions with operators', '${U1:-a}-${BAR:-b}', 'a-bar', []],
    ['an alternative that is itself a template', '${FOO:+[$BAR]}', '[bar]', []],
    ['braces inside a default', '${UNSET:-{x}}', '{x}', []],
    ['a } after a finished expression as text', '${UNSET:-x}}', 'x}', []],
    ['operator characters inside a default', '${UNSET-x:-y}', 'x:-y', []],
    ['$$ inside a default', '${UNSET:-$$}', '$', []],
    ['compose\'s reading of an unbalanced {', '${UNSET:-{}', '{', []],
    ['expressions on several lines', 'a\n${FOO}\n${UNSET:-b}', 'a\nfoo\nb', []],
    ['? with a set value', '${FOO?must be set}', 'foo', []],
    ['? with an empty value', '${EMPTY?must be set}', '', []],
    [':? with a set value', '${FOO:?must be set}', 'foo', []],
  ])('reads %s', (_name, text, expected, unset) => {
    const result = interpolateString(text, VARS);
    expect(result).toMatchObject({ ok: true, value: expected });
    expect(result.unset.map((use) => use.name)).toEqual(unset);
  });

  it.each([
    ['an unset required variable', 'x ${UNSET:?set it first}', 'required variable UNSET is missing a value: set it first', 2],
    ['an empty required-non-empty variable', '${EMPTY:?}', 'required variable EMPTY is missing a value', 0],
    ['an unset ? variable without a message', '${UNSET?}', 'required variable UNSET is missing a value', 0],
    ['a required message that is a template', '${UNSET:?please set ${BAR}}', 'required variable UNSET is missing a value: please set bar', 0],
    ['a required variable inside a default', '${U1:-${U2:?no U2}}', 'required variable U2 is missing a value: no U2', 6],
  ])('fails on %s', (_name, text, message, offset) => {
    const result = interpolateString(text, VARS);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'required', message, offset } });
  });

  it.each([
    ['empty braces', '${}', '${}'],
    ['an unclosed brace', 'a ${FOO', '${FOO'],
    ['an unknown operator', '${FOO:x}', '${FOO:x}'],
    ['a name starting with a digit', '${1A}', '${1A}'],
    ['a space inside the braces', '${FOO BAR}', '${FOO BAR}'],
    ['a default without a closing brace', '${FOO:-x', '${FOO:-x'],
    ['a default whose } is on the next line', '${FOO:-x\n}', '${FOO:-x'],
    ['a lone colon', '${FOO:}', '${FOO:}'],
    ['an invalid expression inside a used default', '${UNSET:-${}}', '${}'],
  ])('rejects %s', (_name, text, expression) => {
    const result = interpolateString(text, VARS);
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'invalid', message: `invalid interpolation format ${JSON.stringify(expression)}` },
    });
    if (!result.ok) expect(result.failure.hint).toContain('$$');
  });

  it('shortens a long invalid expression in its message', () => {
    const result = interpolateString(`\${FOO ${'x'.repeat(100)}`, VARS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.message).toMatch(/^invalid interpolation format "\$\{FOO x+…"$/);
  });

  it('accepts a Map, a record or a function for the variables', () => {
    expect(interpolateString('$A', new Map([['A', 'map']]))).toMatchObject({ value: 'map' });
    expect(interpolateString('$A', { A: 'record' })).toMatchObject({ value: 'record' });
    expect(interpolateString('$A', (name) => (name === 'A' ? 'function' : undefined))).toMatchObject({ value: 'function' });
  });

  it('does not find object prototype properties as variables', () => {
    const result = interpolateString('${constructor}${toString:-none}', {});
    expect(result).toMatchObject({ ok: true, value: 'none' });
    expect(result.unset.map((use) => use.name)).toEqual(['constructor']);
  });
});

function load(yaml: string): { value: unknown; ctx: StageContext } {
  const parsed = parseYaml(yaml, 'compose.yml');
  return { value: parsed.value, ctx: new StageContext(parsed.sources) };
}

describe('interpolateTree', () => {
  it('interpolates string values at every depth and keeps other scalars', () => {
    const { value, ctx } = load([
      'services:',
      '  web:',
      '    image: "nginx:${TAG:-latest}"',
      '    command: [serve, "--port=$PORT"]',
      '    replicas: 2',
      '    tty: true',
      '    network_mode: null',
    ].join('\n'));
    expect(interpolateTree(value, ctx, { PORT: '80' })).toEqual({
      services: { web: { image: 'nginx:latest', command: ['serve', '--port=80'], replicas: 2, tty: true, network_mode: null } },
    });
    expect(ctx.issues).toEqual([]);
  });

  it('never interpolates mapping keys, even under environment and labels', () => {
    const { value, ctx } = load('services:\n  web:\n    environment:\n      ${KEY}: ${VALUE}\n    labels:\n      "a.$KEY": x\n');
    expect(interpolateTree(value, ctx, { KEY: 'k', VALUE: 'v' })).toEqual({
      services: { web: { environment: { '${KEY}': 'v' }, labels: { 'a.$KEY': 'x' } } },
    });
  });

  it('interpolates x- extensions like any other value, as compose does', () => {
    const { value, ctx } = load('x-common:\n  image: app:${TAG}\nservices: {}\n');
    expect(interpolateTree(value, ctx, { TAG: '1.2' })).toEqual({ 'x-common': { image: 'app:1.2' }, services: {} });
  });

  it('interpolates inside !override and keeps !reset', () => {
    const tree = { services: { web: { ports: new OverrideMarker(['${P}:80']), volumes: new ResetMarker() } } };
    const out = interpolateTree(tree, new StageContext(), { P: '8080' }) as { services: { web: Record<string, unknown> } };
    expect(out.services.web.ports).toBeInstanceOf(OverrideMarker);
    expect((out.services.web.ports as OverrideMarker).value).toEqual(['8080:80']);
    expect(out.services.web.volumes).toBeInstanceOf(ResetMarker);
  });

  it('warns once per unset variable, at its first use, in compose\'s words', () => {
    const { value, ctx } = load('services:\n  web:\n    image: ${IMAGE}\n    command: $IMAGE $OTHER\n');
    expect(interpolateTree(value, ctx, {})).toEqual({ services: { web: { image: '', command: ' ' } } });
    expect(ctx.warnings).toEqual([
      { message: 'The "IMAGE" variable is not set. Defaulting to a blank string.', path: 'services.web.image',
        source: { file: 'compose.yml', line: 3, column: 12 } },
      { message: unsetVariableWarning('OTHER'), path: 'services.web.command', source: { file: 'compose.yml', line: 4, column: 14 } },
    ]);
  });

  it('does not warn again for a variable already reported in the same load', () => {
    const ctx = new StageContext();
    interpolateTree({ a: '$X' }, ctx, {});
    interpolateTree({ b: '$X' }, ctx, {});
    expect(ctx.warnings).toHaveLength(1);
  });

  it('reports every malformed or missing value with its path and position, keeping the text', () => {
    const { value, ctx } = load('services:\n  web:\n    image: "${TAG"\n    user: ${USER_ID:?set USER_ID}\n');
    const out = interpolateTree(value, ctx, {});
    expect(out).toEqual({ services: { web: { image: '${TAG', user: '${USER_ID:?set USER_ID}' } } });
    expect(ctx.issues.map((issue) => issue.format())).toEqual([
      'compose.yml:3:12 SPEC_INTERPOLATION services.web.image: invalid interpolation format "${TAG"\n' +
        '  hint: write a literal $ as $$; the forms are $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ' +
        '${VAR:?message}, ${VAR?message}, ${VAR:+alternative} and ${VAR+alternative}',
      'compose.yml:4:11 SPEC_INTERPOLATION services.web.user: required variable USER_ID is missing a value: set USER_ID\n' +
        '  hint: set USER_ID in the shell environment or in the .env file',
    ]);
  });

  it('leaves its input unchanged and keeps a __proto__ key as a key', () => {
    const input = JSON.parse('{"services":{"web":{"image":"$I","__proto__":"$I"}}}') as Record<string, unknown>;
    const snapshot = JSON.stringify(input);
    const out = interpolateTree(input, new StageContext(), { I: 'x' }) as { services: { web: Record<string, unknown> } };
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(Object.getOwnPropertyDescriptor(out.services.web, '__proto__')?.value).toBe('x');
  });

  it('accepts a Map of variables', () => {
    expect(interpolateTree({ a: '$A' }, new StageContext(), new Map([['A', '1']]))).toEqual({ a: '1' });
  });
});
