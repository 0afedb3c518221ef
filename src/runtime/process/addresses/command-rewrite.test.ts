import { describe, expect, it } from 'vitest';
import { rewriteCommand, type CommandRewriteContext } from './command-rewrite.js';
import { ServiceDirectory } from './service-addresses.js';

const directory = new ServiceDirectory('shop', [{ name: 'redis', aliases: [] }, { name: 'db', aliases: [] }, { name: 'web', aliases: ['frontend'] }]);
const redis = directory.addressOf('redis');
const db = directory.addressOf('db');
const context: CommandRewriteContext = {
  ports: new Map([[8000, 41001], [5000, 41002], [3000, 41003]]),
  resolve: (host) => directory.resolve(host),
  ownNames: new Set(['web', 'frontend']),
  env: { PORT: '41001', HOST: '127.0.0.1', PORT_8000: '41001' },
  hostPath: (p) => (p === '/app' || p.startsWith('/app/') ? `/srv/project${p.slice(4)}` : undefined),
};
const split = (text: string): string[] => text.split(' ');

describe('rewriteCommand', () => {
  it.each([
    ['uvicorn app.main:app --host 0.0.0.0 --port 8000 --reload', 'uvicorn app.main:app --host 127.0.0.1 --port 41001 --reload'],
    ['gunicorn app.main:app -w 4 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000', 'gunicorn app.main:app -w 4 -k uvicorn.workers.UvicornWorker --bind 127.0.0.1:41001'],
    ['gunicorn -b :5000 app:app', 'gunicorn -b 127.0.0.1:41002 app:app'],
    ['gunicorn --bind=0.0.0.0:5000 --workers 4 --threads 2 --timeout 120 app:app', 'gunicorn --bind=127.0.0.1:41002 --workers 4 --threads 2 --timeout 120 app:app'],
    ['flask run --host=0.0.0.0 --port=5000', 'flask run --host=127.0.0.1 --port=41002'],
    ['node server.js', 'node server.js'],
    ['npx next start -p 3000', 'npx next start -p 41003'],
    ['python -m http.server --bind [::]:8000', 'python -m http.server --bind 127.0.0.1:41001'],
    ['serve --listen 3000', 'serve --listen 41003'],
    ['uvicorn main:app --port 9999', 'uvicorn main:app --port 9999'],
    ['daphne -b 0.0.0.0 -p 8000 app.asgi:application', 'daphne -b 127.0.0.1 -p 41001 app.asgi:application'],
    ['celery -A app.core.celery.celery_app worker --loglevel=info', 'celery -A app.core.celery.celery_app worker --loglevel=info'],
    ['celery -A app worker --broker=redis://redis:6379/0', `celery -A app worker --broker=redis://${redis}:6379/0`],
    ['wait-for-it db:5432 -- python app.py', `wait-for-it ${db}:5432 -- python app.py`],
    ['python /app/main.py --config=/app/config.yml', 'python /srv/project/main.py --config=/srv/project/config.yml'],
    ['python /usr/local/bin/tool', 'python /usr/local/bin/tool'],
    ['gunicorn --bind 0.0.0.0:$PORT app:app', 'gunicorn --bind 0.0.0.0:41001 app:app'],
    ['gunicorn --bind ${HOST}:${PORT_8000} app:app', 'gunicorn --bind 127.0.0.1:41001 app:app'],
    ['server --listen web:8000', 'server --listen 127.0.0.1:41001'],
    ['redis-server --appendonly yes', 'redis-server --appendonly yes'],
  ])('%s', (command, expected) => {
    expect(rewriteCommand(split(command), context).join(' ')).toBe(expected);
  });

  it('rewrites the script of `sh -c` word by word and leaves $PORT to the shell', () => {
    expect(rewriteCommand(['sh', '-c', 'alembic upgrade head && uvicorn app.main:app --host 0.0.0.0 --port 8000'], context))
      .toEqual(['sh', '-c', 'alembic upgrade head && uvicorn app.main:app --host 127.0.0.1 --port 41001']);
    expect(rewriteCommand(['/bin/sh', '-c', 'gunicorn main:app --bind "0.0.0.0:$PORT"'], context))
      .toEqual(['/bin/sh', '-c', 'gunicorn main:app --bind "0.0.0.0:$PORT"']);
    expect(rewriteCommand(['bash', '-ec', "exec gunicorn -b '0.0.0.0:5000' app:app"], context))
      .toEqual(['bash', '-ec', "exec gunicorn -b '127.0.0.1:41002' app:app"]);
  });
});
