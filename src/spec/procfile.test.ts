import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  it('turns each process type into a service run through the shell in the Procfile folder', () => {
    const { value, sources } = parseProcfile('# processes\nweb: gunicorn main:app --bind 0.0.0.0:$PORT\n\nworker: celery -A app worker\n', '/app/Procfile');
    expect(value).toEqual({
      services: {
        web: {
          build: { context: '/app' },
          command: ['/bin/sh', '-c', 'gunicorn main:app --bind 0.0.0.0:$$PORT'],
          env_file: [{ path: '/app/.env', required: false }],
        },
        worker: {
          build: { context: '/app' },
          command: ['/bin/sh', '-c', 'celery -A app worker'],
          env_file: [{ path: '/app/.env', required: false }],
        },
      },
    });
    expect(sources.value(['services', 'worker'])).toEqual({ file: '/app/Procfile', line: 4, column: 1 });
  });

  it('rejects a line without a command, naming its line', () => {
    try {
      parseProcfile('web: node server.js\nworker\n', '/app/Procfile');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BerthError);
      expect((error as BerthError).format()).toBe('/app/Procfile:2:1 SPEC_PROCFILE: cannot read "worker"\n  hint: each line is `name: command`, e.g. `web: gunicorn main:app --bind 0.0.0.0:$PORT`');
    }
  });

  it('rejects a process type defined twice and an empty file', () => {
    expect(() => parseProcfile('web: a\nweb: b\n', '/p/Procfile')).toThrow('process type `web` is defined twice');
    expect(() => parseProcfile('# nothing\n', '/p/Procfile')).toThrow('defines no process');
  });
});
