/** Runs berth's benchmarks; each prints its figures and ratios against a peer run side by side. */
import { existsSync } from 'node:fs';
import { benchLoad500 } from './load-500-services.js';
import { benchUpDemo } from './up-demo.js';
import { benchProxy } from './proxy.js';
import { benchRouteTable } from './route-table.js';
import { benchDeploy } from './deploy.js';

if (!existsSync('dist/cli/main.js')) {
  console.error('build first: npm run build (the CLI comparison runs bin/berth.js)');
  process.exit(1);
}
console.log('== loader');
benchLoad500();
console.log('\n== process runtime');
benchUpDemo();
console.log('\n== edge proxy');
benchRouteTable();
await benchProxy();
console.log('\n== deploy');
await benchDeploy();
