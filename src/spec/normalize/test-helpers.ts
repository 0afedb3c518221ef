import type { Stack } from '../../model/stack.js';
import { canonicalize } from '../canonical/canonical.js';
import { StageContext } from '../stage-context.js';
import { normalize, type NormalizeOptions } from './normalize.js';

/** Canonicalizes then normalizes a one-file project in /srv/demo (home /home/me), as the loader would. */
export function loadDict(dict: Record<string, unknown>, options: Partial<NormalizeOptions> = {}): { stack: Stack; ctx: StageContext } {
  const ctx = new StageContext();
  const canonical = canonicalize(dict, ctx);
  const stack = normalize(canonical, ctx, {
    projectName: 'demo',
    projectDir: '/srv/demo',
    files: ['/srv/demo/compose.yml'],
    envFileReader: () => ({}),
    homeDir: '/home/me',
    ...options,
  });
  return { stack, ctx };
}

/** The service `web` of a project that has only that service. */
export function loadWeb(web: Record<string, unknown>, options: Partial<NormalizeOptions> = {}) {
  const { stack, ctx } = loadDict({ services: { web } }, options);
  const service = stack.services.web;
  if (!service) throw new Error('service web is missing');
  return { web: service, stack, ctx };
}
