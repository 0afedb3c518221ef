import { it } from 'vitest';
import { loadStack } from '../../spec/load.js';
import { exportKubernetes } from './export-kubernetes.js';
import { renderStream } from './render-manifests.js';
import { validateKubeObject } from './test-validate.js';
import { projectOptionsForCase, FIXTURES } from '../../../test/golden/golden-cases.js';
it('smoke', () => {
  const { stack } = loadStack(projectOptionsForCase(`${FIXTURES}/golden/seed-004-traefik`));
  const r = exportKubernetes(stack);
  for (const o of r.objects) validateKubeObject(o.object);
  console.log(renderStream(r.objects));
  console.log(r.warnings.map((w) => `${w.path}: ${w.message}`).join('\n'));
});
