import { describe, expect, it } from 'vitest';
import { rewriteEnvironment, rewriteEnvValue, type EnvRewriteContext } from './env-rewrite.js';
import { ServiceDirectory } from './service-addresses.js';

const directory = new ServiceDirectory('shop', [
  { name: 'db', aliases: ['database', 'tramites-db'] },
  { name: 'redis', aliases: [] },
  { name: 'backend', aliases: [] },
  { name: 'postgres', aliases: [] },
  { name: 'kafka', aliases: [] },
]);
const context: EnvRewriteContext = { resolve: (host) => directory.resolve(host), ports: new Map([[8000, 41001], [8001, 41002]]) };
const db = directory.addressOf('db');
const redis = directory.addressOf('redis');
const backend = directory.addressOf('backend');
const postgres = directory.addressOf('postgres');
const kafka = directory.addressOf('kafka');

describe('rewriteEnvValue', () => {
  it.each([
    ['REDIS_URL', 'redis://redis:6379', `redis://${redis}:6379`],
    ['CELERY_BROKER_URL', 'redis://redis:6379/0', `redis://${redis}:6379/0`],
    ['DATABASE_URL', 'postgresql://app:s3cret@db:5432/shop', `postgresql://app:s3cret@${db}:5432/shop`],
    ['DATABASE_URL', 'postgresql+psycopg2://u:p@database:5432/x?sslmode=disable', `postgresql+psycopg2://u:p@${db}:5432/x?sslmode=disable`],
    ['DATABASE_URL', 'mssql+pyodbc://sa:YourStrongPassword123!@db:1433/Tramites?driver=ODBC+Driver+18', `mssql+pyodbc://sa:YourStrongPassword123!@${db}:1433/Tramites?driver=ODBC+Driver+18`],
    ['API_URL', 'http://backend:8000/api', `http://${backend}:8000/api`],
    ['API_URL', 'http://backend/api', `http://${backend}/api`],
    ['MONGO_URL', 'mongodb://redis:1,db:2/x', `mongodb://${redis}:1,${db}:2/x`],
    ['POSTGRES_SERVER', 'db', db],
    ['DB_HOST', 'tramites-db', db],
    ['REDIS_HOST', 'redis', redis],
    ['DATABASE_HOST', 'postgres', postgres],
    ['KAFKA_BROKERS', 'kafka:9092,db:9093', `${kafka}:9092,${db}:9093`],
    ['CACHE', 'redis:6379', `${redis}:6379`],
    ['POSTGRES_USER', 'postgres', 'postgres'],
    ['POSTGRES_DB', 'postgres', 'postgres'],
    ['POSTGRES_PASSWORD', 'db', 'db'],
    ['SERVICE_NAME', 'backend', 'backend'],
    ['POSTGRES_PORT', '5432', '5432'],
    ['APP_PORT', '8001', '41002'],
    ['PORT', '8000', '41001'],
    ['VITE_API_URL', 'http://localhost:8000', 'http://localhost:8000'],
    ['NEXT_PUBLIC_API_URL', 'https://api.domain.com', 'https://api.domain.com'],
    ['HOSTNAME', '0.0.0.0', '0.0.0.0'],
    ['SECRET_KEY', 'redis://not-a-service:1', 'redis://not-a-service:1'],
    ['GREETING', 'hello db', 'hello db'],
  ])('%s=%s → %s', (name, value, expected) => {
    expect(rewriteEnvValue(name, value, context)).toBe(expected);
  });
});

describe('rewriteEnvironment', () => {
  it('drops variables named without a value and rewrites the rest', () => {
    expect(rewriteEnvironment({ UNSET: null, EMPTY: '', REDIS_HOST: 'redis' }, context)).toEqual({ EMPTY: '', REDIS_HOST: redis });
  });
});
