/** An image reference reduced to what adapters match on. */
export interface ImageRef {
  /** Repository without Docker Hub's registry and `library/` prefixes: `postgres`, `bitnami/redis`, `ghcr.io/x/y`. */
  readonly repository: string;
  readonly tag?: string;
  /** The leading number of the tag (`16` for `16.2-alpine`), if any. */
  readonly major?: number;
}

const HUB_REGISTRIES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `docker.io/library/postgres:16-alpine@sha256:…` → `{ repository: 'postgres', tag: '16-alpine', major: 16 }`. */
export function parseImageRef(image: string): ImageRef {
  const withoutDigest = image.split('@')[0] ?? '';
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  let repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
  const parts = repository.split('/');
  if (parts.length > 1 && HUB_REGISTRIES.has(parts[0] ?? '')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  repository = parts.join('/').toLowerCase();
  const major = tag === undefined ? undefined : /^(\d+)/.exec(tag)?.[1];
  return { repository, ...(tag === undefined ? {} : { tag }), ...(major === undefined ? {} : { major: Number(major) }) };
}
