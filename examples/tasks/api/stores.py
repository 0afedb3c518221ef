"""Connections to Postgres and Redis, from DATABASE_URL and REDIS_URL."""
import threading
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg2
import psycopg2.pool
import redis


def postgres_params(url):
    """psycopg2.connect keyword arguments for `postgresql://user:password@host:port/dbname?sslmode=...`."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must start with postgresql://, not {parts.scheme or 'nothing'}://")
    user = unquote(parts.username or "postgres")
    params = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": user,
        "password": unquote(parts.password or ""),
        "dbname": unquote(parts.path.lstrip("/")) or user,
        "connect_timeout": 3,
        # A query must not hang a request (or a health check) forever.
        "options": "-c statement_timeout=5000",
    }
    params.update(parse_qsl(parts.query))
    return params


def connect_redis(url, **options):
    """A Redis client for `redis://[user:password@]host:port/db` (rediss:// for TLS). It reconnects by itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis://, not {parts.scheme or 'nothing'}://")
    return redis.Redis(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(parts.path.lstrip("/") or 0),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=parts.scheme == "rediss",
        socket_connect_timeout=2,
        **options,
    )


class Database:
    """A small thread-safe pool: waits for a free connection instead of failing, drops broken connections."""

    def __init__(self, url, size=5):
        # minconn=0: connecting lazily lets the app start (and report 503) while Postgres is down.
        self._pool = psycopg2.pool.ThreadedConnectionPool(0, size, **postgres_params(url))
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def cursor(self):
        """A cursor in a transaction: committed when the block ends, rolled back if it raises."""
        if not self._slots.acquire(timeout=10):
            raise psycopg2.OperationalError("no free database connection within 10 s")
        try:
            conn = self._pool.getconn()
            try:
                with conn.cursor() as cur:
                    yield cur
                conn.commit()
            except BaseException:
                # A connection the server dropped is closed by now: rolling it back would raise anew.
                if not conn.closed:
                    conn.rollback()
                raise
            finally:
                self._pool.putconn(conn, close=bool(conn.closed))
        finally:
            self._slots.release()
