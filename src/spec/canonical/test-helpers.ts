import { StageContext } from '../stage-context.js';
import { canonicalize } from './canonical.js';

/** Canonicalizes one service `web` and returns its long form with the context the stage reported into. */
export function canonicalService(service: Record<string, unknown>): { web: Record<string, unknown>; ctx: StageContext } {
  const ctx = new StageContext();
  const out = canonicalize({ services: { web: service } }, ctx);
  const services = out.services as Record<string, Record<string, unknown>>;
  return { web: services.web as Record<string, unknown>, ctx };
}
