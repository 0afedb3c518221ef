/**
 * Compiles berth's proxy process for the bench to plain JavaScript, so the processes measured carry no TypeScript
 * loader (tsx adds ~35 MB of RSS per process, which the daemon built from dist/ does not carry). Each entry and
 * every module it imports by relative path is transpiled on its own (types stripped, no bundling, so paths and
 * import.meta.url keep their layout) into `outDir`, mirroring their place under `root`; packages resolve through a
 * `node_modules` link to the project's.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
};
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

/** Writes the compiled entries and their relative imports to `outDir`; returns each entry's compiled path. */
export function compileForNode(root: string, entries: readonly string[], outDir: string): string[] {
  const seen = new Set<string>();
  const queue = entries.map((entry) => path.resolve(root, entry));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(out), { recursive: true });
    if (file.endsWith('.ts')) writeFileSync(out, ts.transpileModule(source, { compilerOptions: OPTIONS, fileName: file }).outputText);
    else copyFileSync(file, out);
    for (const match of source.matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), match[1] as string);
      const asTs = target.replace(/\.js$/, '.ts');
      if (existsSync(asTs)) queue.push(asTs);
      else if (existsSync(target)) queue.push(target);
    }
  }
  const modules = path.join(outDir, 'node_modules');
  if (!existsSync(modules)) symlinkSync(path.join(root, 'node_modules'), modules, 'dir');
  return entries.map((entry) => path.join(outDir, entry).replace(/\.ts$/, '.js'));
}
