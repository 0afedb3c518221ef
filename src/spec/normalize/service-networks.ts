import type { ServiceNetwork } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { otherKeys, readDict, readString, readStringList, type Dict } from './read.js';

const NETWORK_KEYS = new Set(['aliases', 'ipv4_address', 'ipv6_address']);

/**
 * A service's `networks` → attachments. A service with none (and no `network_mode`) joins the stack's `default`
 * network, as in compose.
 */
export function readServiceNetworks(service: Dict, ctx: StageContext, path: ModelPath): Record<string, ServiceNetwork> {
  const declared = readDict(service.networks, ctx, path) ?? {};
  if (Object.keys(declared).length === 0 && service.network_mode === undefined) return { default: { aliases: [] } };
  const out: Record<string, ServiceNetwork> = {};
  for (const [name, entry] of Object.entries(declared)) {
    const dict = readDict(entry, ctx, [...path, name]) ?? {};
    const ipv4Address = readString(dict.ipv4_address, ctx, [...path, name, 'ipv4_address']);
    const ipv6Address = readString(dict.ipv6_address, ctx, [...path, name, 'ipv6_address']);
    const other = otherKeys(dict, NETWORK_KEYS);
    out[name] = {
      aliases: readStringList(dict.aliases, ctx, [...path, name, 'aliases']),
      ...(ipv4Address === undefined ? {} : { ipv4Address }),
      ...(ipv6Address === undefined ? {} : { ipv6Address }),
      ...(Object.keys(other).length === 0 ? {} : { other }),
    };
  }
  return out;
}
