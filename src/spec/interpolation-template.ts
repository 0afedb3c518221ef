/** Where variable values come from; a name that is absent (or `undefined`) is unset. */
export type Variables =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | ((name: string) => string | undefined);

/** A variable used without a default while unset (compose warns about each). `offset` is where its `$` is. */
export interface UnsetVariable {
  readonly name: string;
  readonly offset: number;
}

/** Why a template failed; `offset` is the position of the `$` that starts the failing expression. */
export interface InterpolationFailure {
  readonly kind: 'invalid' | 'required';
  readonly message: string;
  readonly hint: string;
  readonly offset: number;
}

/** The interpolated text, or why it failed; either way every unset variable met before the end or the failure. */
export type InterpolationResult =
  | { readonly ok: true; readonly value: string; readonly unset: readonly UnsetVariable[] }
  | { readonly ok: false; readonly failure: InterpolationFailure; readonly unset: readonly UnsetVariable[] };

const INVALID_HINT =
  'write a literal $ as $$; the forms are $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ' +
  '${VAR:?message}, ${VAR?message}, ${VAR:+alternative} and ${VAR+alternative}';

/**
 * Interpolates one string with compose's `${VAR}` template language, as compose-go's `template` package does:
 *
 * - `$VAR` and `${VAR}`: names match `[_A-Za-z][_A-Za-z0-9]*`; unset gives "" and is reported as unset.
 * - `${VAR:-default}` / `${VAR-default}`: the default when unset or empty / only when unset.
 * - `${VAR:+alt}` / `${VAR+alt}`: the alternative when set and non-empty / when set; else the value (or "").
 * - `${VAR:?message}` / `${VAR?message}`: fail with `required variable VAR is missing a value: message`.
 * - the argument of an operator is itself a template (nested `${A:-${B:-x}}`), evaluated only when used.
 * - `$$` is a literal `$`; a `$` followed by anything else that is not a name or `{` is kept as it is.
 * - `${` that does not start a valid expression (`${}`, `${VAR`, `${VAR:x}`, `${1A}`) fails.
 *
 * The end of an operator expression is found as compose finds it: its regexp reaches the last `}` on the line,
 * then the first balanced `}` (counting `{` and `}`) inside that stretch ends the expression, else the last one.
 *
 * Never throws: a malformed or failing expression comes back as `failure`. It does not warn; the caller turns
 * `unset` into warnings.
 */
export function interpolateString(text: string, variables: Variables): InterpolationResult {
  const template = new Template(text, toLookup(variables));
  try {
    return { ok: true, value: template.evaluate(0, text.length), unset: template.unset };
  } catch (error) {
    if (error instanceof TemplateFailure) return { ok: false, failure: error.failure, unset: template.unset };
    throw error;
  }
}

/** One lookup function for any form of `Variables`. */
export function toLookup(variables: Variables): (name: string) => string | undefined {
  if (typeof variables === 'function') return variables;
  if (variables instanceof Map) return (name) => variables.get(name);
  const record = variables as Readonly<Record<string, string>>;
  // Own properties only: `${constructor}` must not find Object.prototype.constructor.
  return (name) => (Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined);
}

class TemplateFailure extends Error {
  constructor(readonly failure: InterpolationFailure) {
    super(failure.message);
  }
}

type Operator = ':-' | '-' | ':+' | '+' | ':?' | '?';

class Template {
  readonly unset: UnsetVariable[] = [];

  constructor(
    private readonly text: string,
    private readonly lookup: (name: string) => string | undefined,
  ) {}

  /** Evaluates `text[start, end)`; nested arguments are evaluated in place, so offsets stay absolute. */
  evaluate(start: number, end: number): string {
    const text = this.text;
    let out = '';
    let i = start;
    while (i < end) {
      const dollar = text.indexOf('$', i);
      if (dollar === -1 || dollar >= end) return out + text.slice(i, end);
      out += text.slice(i, dollar);
      const next = dollar + 1 < end ? text[dollar + 1] : undefined;
      if (next === '$') {
        out += '$';
        i = dollar + 2;
      } else if (next === '{') {
        const expression = this.braced(dollar, end);
        out += expression.value;
        i = expression.end;
      } else {
        const nameEnd = scanName(text, dollar + 1, end);
        if (nameEnd === dollar + 1) {
          out += '$'; // `$` then a non-name character: compose's pattern does not match, the text stays.
          i = dollar + 1;
        } else {
          out += this.plain(text.slice(dollar + 1, nameEnd), dollar);
          i = nameEnd;
        }
      }
    }
    return out;
  }

  private braced(dollar: number, end: number): { value: string; end: number } {
    const text = this.text;
    const nameStart = dollar + 2;
    const nameEnd = scanName(text, nameStart, end);
    if (nameEnd === nameStart || nameEnd >= end) this.invalid(dollar, end);
    const name = text.slice(nameStart, nameEnd);
    const after = text[nameEnd];
    if (after === '}') return { value: this.plain(name, dollar), end: nameEnd + 1 };
    let operator: Operator;
    if (after === ':' && nameEnd + 1 < end && isOperatorChar(text[nameEnd + 1])) {
      operator = `:${text[nameEnd + 1]}` as Operator;
    } else if (isOperatorChar(after)) {
      operator = after as Operator;
    } else {
      return this.invalid(dollar, end);
    }
    const argStart = nameEnd + operator.length;
    const close = this.closingBrace(dollar, argStart, end);
    if (close === -1) this.invalid(dollar, end);
    return { value: this.apply(name, operator, { start: argStart, end: close, dollar }), end: close + 1 };
  }

  private closingBrace(dollar: number, argStart: number, end: number): number {
    const text = this.text;
    const newline = text.indexOf('\n', dollar);
    const limit = newline === -1 || newline > end ? end : newline;
    const last = text.lastIndexOf('}', limit - 1);
    if (last < argStart) return -1;
    let depth = 0;
    for (let i = dollar; i <= last; i++) {
      if (text[i] === '}') {
        depth--;
        if (depth === 0) return i;
      }
      if (text[i] === '{') {
        depth++;
        i++; // compose skips the character after each `{`
      }
    }
    return last;
  }

  private apply(name: string, operator: Operator, arg: { start: number; end: number; dollar: number }): string {
    const value = this.lookup(name);
    const argument = (): string => this.evaluate(arg.start, arg.end);
    switch (operator) {
      case ':-':
        return value === undefined || value === '' ? argument() : value;
      case '-':
        return value === undefined ? argument() : value;
      case ':+':
        return value !== undefined && value !== '' ? argument() : (value ?? '');
      case '+':
        return value !== undefined ? argument() : '';
      case ':?':
        if (value === undefined || value === '') this.required(name, argument(), arg.dollar);
        return value ?? '';
      case '?':
        if (value === undefined) this.required(name, argument(), arg.dollar);
        return value ?? '';
    }
  }

  private plain(name: string, dollar: number): string {
    const value = this.lookup(name);
    if (value !== undefined) return value;
    this.unset.push({ name, offset: dollar });
    return '';
  }

  private required(name: string, reason: string, dollar: number): never {
    const message = reason === ''
      ? `required variable ${name} is missing a value`
      : `required variable ${name} is missing a value: ${reason}`;
    throw new TemplateFailure({
      kind: 'required', message, offset: dollar,
      hint: `set ${name} in the shell environment or in the .env file`,
    });
  }

  private invalid(dollar: number, end: number): never {
    throw new TemplateFailure({
      kind: 'invalid', offset: dollar, hint: INVALID_HINT,
      message: `invalid interpolation format ${JSON.stringify(excerpt(this.text, dollar, end))}`,
    });
  }
}

/** The failing expression as the user wrote it: from its `$` to the next `}` on the line, at most 60 characters. */
function excerpt(text: string, dollar: number, end: number): string {
  const newline = text.indexOf('\n', dollar);
  const lineEnd = newline === -1 || newline > end ? end : newline;
  const brace = text.indexOf('}', dollar);
  const stop = brace !== -1 && brace < lineEnd ? brace + 1 : lineEnd;
  return stop - dollar > 60 ? `${text.slice(dollar, dollar + 59)}…` : text.slice(dollar, stop);
}

function scanName(text: string, start: number, end: number): number {
  if (start >= end || !/[_A-Za-z]/.test(text.charAt(start))) return start;
  let i = start + 1;
  while (i < end && /[_A-Za-z0-9]/.test(text.charAt(i))) i++;
  return i;
}

function isOperatorChar(char: string | undefined): boolean {
  return char === '-' || char === '+' || char === '?';
}
