import os from 'node:os';
import type { Service, Stack } from '../../model/stack.js';
import { parseBerthStackOptions } from '../berth-options.js';
import type { StageContext } from '../stage-context.js';
import { deepFreeze } from './deep-freeze.js';
import { extensionKeys, readDict } from './read.js';
import { readConfigs, readNetworks, readSecrets, readVolumes } from './resources.js';
import type { EnvFileReader, NormalizeScope } from './scope.js';
import { readService } from './service.js';

/** What normalize needs besides the merged dict: the project's identity and folders, and how to read env files. */
export interface NormalizeOptions {
  readonly projectName: string;
  /** Absolute; relative paths of the stack (binds, build contexts, env files, secret files) resolve from here. */
  readonly projectDir: string;
  /** The loaded files, in merge order (absolute). */
  readonly files: readonly string[];
  /** Reads a service's env file; returns `undefined` for a missing optional one. May throw a BerthError. */
  readonly envFileReader: EnvFileReader;
  /**
   * The interpolation variables (shell + `.env`): `environment: [NAME]` and `build.args: [NAME]` take their value
   * from here, as compose does. Without it those stay `null` (unset).
   */
  readonly lookupVariable?: (name: string) => string | undefined;
  /** Where `~` in bind sources points; the user's home folder by default. */
  readonly homeDir?: string;
}

/**
 * Turns the merged, canonical compose dict (markers resolved, `extends` applied, inactive services removed) into
 * the typed Stack. Every default is filled in here and only here: restart `no`, stop signal and grace period,
 * healthcheck timings, replicas, the `default` network, `<project>_<key>` resource names, absolute host paths,
 * env files merged under `environment`. Problems are reported into `ctx` (the result is then incomplete but
 * well-formed). The result is deep-frozen; `profiles` lists the profiles of the services given.
 */
export function normalize(dict: Record<string, unknown>, ctx: StageContext, options: NormalizeOptions): Stack {
  const scope: NormalizeScope = {
    ctx,
    projectName: options.projectName,
    base: { projectDir: options.projectDir, homeDir: options.homeDir ?? os.homedir() },
    envFileReader: options.envFileReader,
    lookupVariable: options.lookupVariable ?? (() => undefined),
  };
  const services: Record<string, Service> = {};
  for (const [name, raw] of Object.entries(readDict(dict.services, ctx, ['services']) ?? {})) {
    services[name] = readService(name, readDict(raw, ctx, ['services', name]) ?? {}, scope);
  }
  const profiles = [...new Set(Object.values(services).flatMap((service) => service.profiles))].sort();
  // A clone, so that freezing never reaches the caller's dict through values kept verbatim (`other`, `x-*`).
  return deepFreeze(structuredClone({
    name: options.projectName,
    projectDir: options.projectDir,
    files: [...options.files],
    services,
    networks: readNetworks(dict.networks, services, scope),
    volumes: readVolumes(dict.volumes, scope),
    secrets: readSecrets(dict.secrets, scope),
    configs: readConfigs(dict.configs, scope),
    profiles,
    extensions: extensionKeys(dict),
    berth: parseBerthStackOptions(dict['x-berth'], ctx, ['x-berth']),
  }));
}
