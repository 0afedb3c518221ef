import { describe, expect, it } from 'vitest';
import type { ExecCommand } from '../../runtime.js';
import { rewriteProbe } from './probe-rewrite.js';

const ports = new Map([[8000, 41001], [5432, 41002], [6379, 41003]]);
const own = new Set(['redis', 'backend']);

describe('rewriteProbe', () => {
  it.each<[string, ExecCommand, ExecCommand]>([
    ['curl -f http://localhost:8000/health', { kind: 'exec', argv: ['curl', '-f', 'http://localhost:8000/health'] }, { kind: 'exec', argv: ['curl', '-f', 'http://localhost:41001/health'] }],
    ['CMD-SHELL curl … || exit 1', { kind: 'shell', command: 'curl -f http://localhost:8000/health || exit 1' }, { kind: 'shell', command: 'curl -f http://localhost:41001/health || exit 1' }],
    ['wget 127.0.0.1', { kind: 'shell', command: 'wget -qO- http://127.0.0.1:8000/api/v1/utils/health-check/' }, { kind: 'shell', command: 'wget -qO- http://127.0.0.1:41001/api/v1/utils/health-check/' }],
    ['0.0.0.0 becomes 127.0.0.1', { kind: 'exec', argv: ['curl', 'http://0.0.0.0:8000/'] }, { kind: 'exec', argv: ['curl', 'http://127.0.0.1:41001/'] }],
    ['[::1]', { kind: 'exec', argv: ['curl', 'http://[::1]:8000/'] }, { kind: 'exec', argv: ['curl', 'http://127.0.0.1:41001/'] }],
    ['other ports kept', { kind: 'exec', argv: ['curl', 'http://localhost:9000/'] }, { kind: 'exec', argv: ['curl', 'http://localhost:9000/'] }],
    ['pg_isready -p', { kind: 'shell', command: 'pg_isready -U app -d shop -p 5432' }, { kind: 'shell', command: 'pg_isready -U app -d shop -p 41002' }],
    ['pg_isready without port', { kind: 'shell', command: 'pg_isready -U $POSTGRES_USER -d $POSTGRES_DB' }, { kind: 'shell', command: 'pg_isready -U $POSTGRES_USER -d $POSTGRES_DB' }],
    ['nc host port', { kind: 'exec', argv: ['nc', '-z', 'localhost', '8000'] }, { kind: 'exec', argv: ['nc', '-z', 'localhost', '41001'] }],
    ['--port=', { kind: 'exec', argv: ['check', '--port=8000'] }, { kind: 'exec', argv: ['check', '--port=41001'] }],
    ['own name as host', { kind: 'exec', argv: ['redis-cli', '-h', 'redis', '-p', '6379', 'ping'] }, { kind: 'exec', argv: ['redis-cli', '-h', '127.0.0.1', '-p', '41003', 'ping'] }],
    ['own name in URL-less host:port', { kind: 'exec', argv: ['check', 'backend:8000'] }, { kind: 'exec', argv: ['check', '127.0.0.1:41001'] }],
  ])('%s', (_name, command, expected) => {
    expect(rewriteProbe(command, ports, own)).toEqual(expected);
  });
});
