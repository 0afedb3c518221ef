import path from 'node:path';
import { BerthError } from '../errors.js';
import { SourceMap } from './source-map.js';

const LINE = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/;

/**
 * Reads a Procfile (`web: gunicorn main:app --bind 0.0.0.0:$PORT`) as a compose document: one service per process
 * type, run in the Procfile's folder through `/bin/sh -c` (Procfile commands are shell lines that expect `$PORT`
 * to be expanded when they start), with the folder's `.env` as an optional env_file, as Procfile runners do.
 */
export function parseProcfile(text: string, file: string): { value: Record<string, unknown>; sources: SourceMap } {
  const sources = new SourceMap();
  const services: Record<string, unknown> = {};
  const errors: BerthError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = { file, line: index + 1, column: raw.indexOf(line) + 1 };
    const match = LINE.exec(line);
    if (!match || !match[2]) {
      errors.push(new BerthError('SPEC_PROCFILE', `cannot read "${line}"`, {
        source: at, hint: 'each line is `name: command`, e.g. `web: gunicorn main:app --bind 0.0.0.0:$PORT`',
      }));
      continue;
    }
    const [, name = '', command = ''] = match;
    if (Object.hasOwn(services, name)) {
      errors.push(new BerthError('SPEC_DUPLICATE_KEY', `process type \`${name}\` is defined twice`, { source: at, hint: 'keep one line per process type' }));
      continue;
    }
    sources.setValue(['services', name], at);
    sources.setKey(['services', name], at);
    sources.setValue(['services', name, 'command'], { ...at, column: at.column + raw.trim().indexOf(command) });
    services[name] = {
      build: { context: path.dirname(file) },
      // `$` is escaped so that compose interpolation leaves `$PORT` for the shell to expand when the process starts.
      command: ['/bin/sh', '-c', command.replace(/\$/g, '$$$$')],
      env_file: [{ path: path.join(path.dirname(file), '.env'), required: false }],
    };
  }
  if (errors.length > 0) {
    throw errors.length === 1 ? errors[0] : new BerthError('SPEC_INVALID', `${errors.length} problems in ${file}`, { issues: errors });
  }
  if (Object.keys(services).length === 0) {
    throw new BerthError('SPEC_PROCFILE', `${file} defines no process`, { hint: 'add a line such as `web: node server.js`' });
  }
  return { value: { services }, sources };
}
