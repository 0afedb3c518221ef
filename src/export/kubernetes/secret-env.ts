import type { Service, Stack } from '../../model/stack.js';
import { kubeName } from './kube-name.js';

/** Words that make an environment variable's value a secret (matched anywhere in the upper-cased name). */
const SECRET_WORDS = ['PASSWORD', 'SECRET', 'TOKEN', 'KEY'] as const;

/** One environment variable of a container, either inline or read from the stack's env Secret. */
export type EnvEntry =
  | { readonly name: string; readonly kind: 'value'; readonly value: string }
  | { readonly name: string; readonly kind: 'secret'; readonly secretKey: string };

/** The stack-wide Secret that holds every secret-looking environment value (as placeholders). */
export function envSecretName(stack: Stack): string {
  return `${kubeName(stack.name)}-env`;
}

/**
 * True when a variable's value must not be written into a manifest: its name looks secret, or a top-level compose
 * secret is read from it (`secrets: {x: {environment: NAME}}`).
 */
export function isSecretVariable(stack: Stack, name: string): boolean {
  const upper = name.toUpperCase();
  if (SECRET_WORDS.some((word) => upper.includes(word))) return true;
  return Object.values(stack.secrets).some((secret) => secret.environment === name);
}

/**
 * The key of a secret variable in the env Secret: the variable name, unless services give the same name different
 * values, in which case each service gets its own `<service>.<NAME>` key (so one value never silently wins).
 */
export function secretKeyFor(stack: Stack, service: Service, name: string): string {
  const values = new Set<string | null>();
  for (const other of Object.values(stack.services)) {
    if (Object.hasOwn(other.environment, name)) values.add(other.environment[name] ?? null);
  }
  return values.size > 1 ? `${kubeName(service.name)}.${name}` : name;
}

/** A service's environment sorted by name, secrets split out; variables named without a value are left out. */
export function envEntries(stack: Stack, service: Service): EnvEntry[] {
  return Object.keys(service.environment).sort().flatMap((name): EnvEntry[] => {
    if (isSecretVariable(stack, name)) return [{ name, kind: 'secret', secretKey: secretKeyFor(stack, service, name) }];
    const value = service.environment[name];
    return value === null || value === undefined ? [] : [{ name, kind: 'value', value }];
  });
}

/** Names of a service's variables declared without a value (compose passes the shell's; Kubernetes has none). */
export function unsetVariables(stack: Stack, service: Service): string[] {
  return Object.keys(service.environment).sort()
    .filter((name) => service.environment[name] === null && !isSecretVariable(stack, name));
}
