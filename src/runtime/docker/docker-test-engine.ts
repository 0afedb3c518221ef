import Docker from 'dockerode';
import { ENGINE_API_VERSION, engineAddress } from './engine-client.js';

/** The offline base image the Docker tests run on (built by scripts/docker-base-images.sh). */
export const TEST_IMAGE = 'berth-test/node:20';

/** Whether the Docker tests can run here, and the node binary inside the test image. */
export type TestEngine = { readonly ok: true; readonly docker: Docker; readonly node: string } | { readonly ok: false; readonly reason: string };

/** Checks that a daemon answers and that the test image exists; says why not otherwise. */
export async function testEngine(): Promise<TestEngine> {
  const docker = new Docker({ version: ENGINE_API_VERSION });
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref())]);
  } catch (error) {
    return { ok: false, reason: `no Docker daemon answers at ${engineAddress(docker)} (${(error as Error).message}); start dockerd` };
  }
  try {
    const image = await docker.getImage(TEST_IMAGE).inspect();
    return { ok: true, docker, node: image.Config.Labels?.['dev.berth.node'] ?? process.execPath };
  } catch {
    return { ok: false, reason: `the image ${TEST_IMAGE} is missing; run scripts/docker-base-images.sh` };
  }
}

/** Force-removes every container of these stacks (test cleanup), and returns how many are left (0). */
export async function removeStacks(docker: Docker, stacks: readonly string[]): Promise<number> {
  const filters = (stack: string): string => JSON.stringify({ label: [`dev.berth.stack=${stack}`] });
  for (const stack of stacks) {
    for (const c of await docker.listContainers({ all: true, filters: filters(stack) })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
  }
  let left = 0;
  for (const stack of stacks) left += (await docker.listContainers({ all: true, filters: filters(stack) })).length;
  return left;
}
