/**
 * Reduces a `config` output — docker-compose v1's or berth's — to its meaning, so the two can be compared although
 * they print it differently. Known v1/v2 differences that are excluded on purpose (berth follows compose v2):
 * - v2 names the project (`name:`), adds a `default` network to services without networks, prefixes network and
 *   volume names with the project, and fills healthcheck / stop defaults; v1 prints none of these.
 * - v1 prints ports with numeric `published`, volumes as short strings, and `command` / `healthcheck.test` as the
 *   string given; v2 prints long forms and lists. Both are reduced to the same tuples here.
 * - v1 re-escapes `$` as `$$` in its output; v2 does too; both are unescaped before comparing.
 * - v1's `config` prints the services of inactive profiles; they are dropped from its side.
 * - v1 accepts `deploy.resources` values as written (`'2G'`); v2 converts them to numbers; resources are compared as numbers.
 */
export interface ServiceMeaning {
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string | null> };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string | null>;
  ports: string[];
  volumes: string[];
  dependsOn: Record<string, string>;
  healthcheck?: { test: string[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
  restart?: string;
  containerName?: string;
  networks: string[];
  labels: Record<string, string>;
  replicas?: number;
  profiles: string[];
}

export interface StackMeaning {
  services: Record<string, ServiceMeaning>;
  volumes: Record<string, { external: boolean }>;
  networks: Record<string, { external: boolean }>;
}

type Dict = Record<string, unknown>;
type Split = (command: string) => string[];

const asDict = (value: unknown): Dict => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Dict) : {});
const unescape = (value: string): string => value.replace(/\$\$/g, '$');

export function meaningOf(document: unknown, split: Split): StackMeaning {
  const doc = asDict(document);
  const services: Record<string, ServiceMeaning> = {};
  for (const [name, raw] of Object.entries(asDict(doc.services))) services[name] = serviceMeaning(asDict(raw), split);
  const external = (section: unknown) => Object.fromEntries(
    Object.entries(asDict(section)).filter(([key]) => key !== 'default').map(([key, value]) => [key, { external: Boolean(asDict(value).external) }]),
  );
  return { services, volumes: external(doc.volumes), networks: external(doc.networks) };
}

function serviceMeaning(s: Dict, split: Split): ServiceMeaning {
  const meaning: ServiceMeaning = {
    environment: stringMap(s.environment),
    ports: (Array.isArray(s.ports) ? s.ports : []).map(portKey).sort(),
    volumes: (Array.isArray(s.volumes) ? s.volumes : []).map(volumeKey).sort(),
    dependsOn: Object.fromEntries(Object.entries(asDict(s.depends_on)).map(([k, v]) => [k, String(asDict(v).condition ?? 'service_started')])),
    networks: Object.keys(asDict(s.networks)).filter((n) => n !== 'default').sort(),
    labels: stringMap(s.labels) as Record<string, string>,
    profiles: Array.isArray(s.profiles) ? (s.profiles as string[]).slice().sort() : [],
  };
  if (typeof s.image === 'string') meaning.image = unescape(s.image);
  if (s.build) {
    const b = asDict(s.build);
    meaning.build = { context: String(b.context), dockerfile: String(b.dockerfile ?? 'Dockerfile'), args: stringMap(b.args) };
  }
  if (s.command !== undefined && s.command !== null) meaning.command = argv(s.command, split);
  if (s.entrypoint !== undefined && s.entrypoint !== null) meaning.entrypoint = argv(s.entrypoint, split);
  if (s.healthcheck && !asDict(s.healthcheck).disable) meaning.healthcheck = healthMeaning(asDict(s.healthcheck));
  if (typeof s.restart === 'string') meaning.restart = s.restart;
  if (typeof s.container_name === 'string') meaning.containerName = s.container_name;
  const replicas = asDict(s.deploy).replicas;
  if (replicas !== undefined) meaning.replicas = Number(replicas);
  return meaning;
}

function argv(value: unknown, split: Split): string[] {
  return Array.isArray(value) ? value.map((v) => unescape(String(v))) : split(unescape(String(value)));
}

function stringMap(value: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value as string[]) {
      const i = item.indexOf('=');
      if (i < 0) out[item] = null;
      else out[item.slice(0, i)] = unescape(item.slice(i + 1));
    }
    return out;
  }
  for (const [k, v] of Object.entries(asDict(value))) out[k] = v === null || v === undefined ? null : unescape(String(v));
  return out;
}

function portKey(port: unknown): string {
  if (typeof port === 'string') {
    // v1 prints ports with a host IP in short form: "127.0.0.1:9000:8000/tcp"
    const [spec = '', protocol = 'tcp'] = port.split('/');
    const parts = spec.split(':');
    const target = parts.pop();
    const published = parts.pop() ?? '';
    return `${parts.join(':')}:${published}:${target}/${protocol}`;
  }
  const p = asDict(port);
  return `${p.host_ip ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol ?? 'tcp'}`;
}

function volumeKey(volume: unknown): string {
  if (typeof volume === 'string') {
    const parts = volume.split(':');
    if (parts.length === 1) return `volume::${parts[0]}:rw`;
    const [source = '', target = '', mode = 'rw'] = parts;
    const type = source.startsWith('/') ? 'bind' : 'volume';
    return `${type}:${source}:${target}:${mode.split(',').includes('ro') ? 'ro' : 'rw'}`;
  }
  const v = asDict(volume);
  return `${v.type}:${v.source ?? ''}:${v.target}:${v.read_only ? 'ro' : 'rw'}`;
}

function healthMeaning(h: Dict): ServiceMeaning['healthcheck'] {
  const test = Array.isArray(h.test) ? (h.test as string[]).map(unescape) : ['CMD-SHELL', unescape(String(h.test))];
  const out: NonNullable<ServiceMeaning['healthcheck']> = { test };
  if (h.interval !== undefined) out.interval = durationMs(h.interval);
  if (h.timeout !== undefined) out.timeout = durationMs(h.timeout);
  if (h.retries !== undefined) out.retries = Number(h.retries);
  if (h.start_period !== undefined) out.startPeriod = durationMs(h.start_period);
  return out;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration → ms; independent of berth's own parser on purpose. */
export function durationMs(value: unknown): number {
  if (typeof value === 'number') return value / 1e6; // v2 JSON may print nanoseconds
  let total = 0;
  for (const [, n, unit] of String(value).matchAll(/([\d.]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * (UNIT_MS[unit ?? 's'] ?? 0);
  return total;
}

/** v1's `config` prints services of inactive profiles too; v2 (and berth) leave them out. */
export function onlyActiveProfiles(meaning: StackMeaning, active: readonly string[]): StackMeaning {
  const services = Object.fromEntries(Object.entries(meaning.services)
    .filter(([, s]) => s.profiles.length === 0 || s.profiles.some((p) => active.includes(p) || active.includes('*'))));
  return { ...meaning, services };
}

/** The subset of meaning v1 prints: drop from berth's side what v1 never prints (defaults v2 fills in). */
export function restrictTo(berth: StackMeaning, v1: StackMeaning): StackMeaning {
  const services: Record<string, ServiceMeaning> = {};
  for (const [name, s] of Object.entries(berth.services)) {
    const other = v1.services[name];
    const copy: ServiceMeaning = { ...s };
    if (copy.healthcheck && other?.healthcheck) {
      const h = { ...copy.healthcheck };
      for (const key of ['interval', 'timeout', 'retries', 'startPeriod'] as const) if (other.healthcheck[key] === undefined) delete h[key];
      copy.healthcheck = h;
    }
    if (other && other.restart === undefined && copy.restart === 'no') delete copy.restart;
    if (other && other.replicas === undefined && copy.replicas === 1) delete copy.replicas;
    services[name] = copy;
  }
  return { ...berth, services };
}
