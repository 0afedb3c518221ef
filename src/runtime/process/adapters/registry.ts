import type { ImageAdapter } from './image-adapter.js';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { postgresAdapter, type PostgresAdapterOptions } from './postgres.js';
import { redisAdapter, type RedisAdapterOptions } from './redis.js';

export interface AdapterMatch {
  readonly adapter: ImageAdapter;
  readonly image: ImageRef;
}

/** The image adapters the process runtime knows, first match wins. */
export class AdapterRegistry {
  constructor(private readonly adapters: readonly ImageAdapter[]) {}

  /** postgres and redis, with where to look for their programs. */
  static standard(options: { postgres?: PostgresAdapterOptions; redis?: RedisAdapterOptions } = {}): AdapterRegistry {
    return new AdapterRegistry([postgresAdapter(options.postgres), redisAdapter(options.redis)]);
  }

  /** The adapter for an image (`postgres:16`, `library/redis`, `docker.io/library/postgres:15-alpine`), if any. */
  match(image: string | undefined): AdapterMatch | undefined {
    if (!image) return undefined;
    const ref = parseImageRef(image);
    const adapter = this.adapters.find((a) => a.matches(ref));
    return adapter ? { adapter, image: ref } : undefined;
  }
}
