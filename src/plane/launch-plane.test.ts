import { describe, expect, it } from 'vitest';
import { planeExecArgv } from './launch-plane.js';

const TSX = import.meta.resolve('tsx');

describe('the data plane\'s node flags', () => {
  it.each([
    ['keeps the flags of a berth run from source', 'plane-main.ts', ['--import', TSX], ['--import', TSX]],
    ['adds tsx for a .ts entry when the caller has no tsx flag (a test runner)', 'plane-main.ts', ['--conditions', 'development'], ['--conditions', 'development', '--import', TSX]],
    ['adds nothing for a built entry', 'plane-main.js', ['--enable-source-maps'], ['--enable-source-maps']],
    ['drops -e and its script, which would run the caller again', 'plane-main.js', ['--import', 'x', '--input-type=module', '-e', 'startPlane()'], ['--import', 'x']],
    ['drops --eval=, --print and --input-type with separate values', 'plane-main.js', ['--eval=1', '--print', '2', '--input-type', 'module', '--max-old-space-size=99'], ['--max-old-space-size=99']],
  ])('%s', (_name, entry, execArgv, expected) => {
    expect(planeExecArgv(entry, execArgv)).toEqual(expected);
  });
});
