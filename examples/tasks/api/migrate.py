"""Creates the schema, idempotently. Waits for Postgres up to MIGRATE_WAIT_SECONDS (30); exits 0, or 1 with why."""
import os
import sys
import time

import psycopg2

from settings import require, setup_logging
from stores import postgres_params

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id           serial PRIMARY KEY,
    title        text NOT NULL,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    processed_by text
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status);
"""

log = setup_logging("migrate")


def connect(params, wait_seconds):
    deadline = time.monotonic() + wait_seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            return psycopg2.connect(**params)
        except psycopg2.OperationalError as error:
            if time.monotonic() >= deadline:
                raise
            log.info("waiting for postgres at %s:%s (attempt %d): %s",
                     params["host"], params["port"], attempt, str(error).strip())
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def main():
    try:
        params = postgres_params(require("DATABASE_URL"))
    except ValueError as error:
        log.error("%s", error)
        return 1
    wait_seconds = float(os.environ.get("MIGRATE_WAIT_SECONDS", "30"))
    try:
        conn = connect(params, wait_seconds)
    except psycopg2.OperationalError as error:
        log.error("cannot reach postgres at %s:%s after %g s: %s",
                  params["host"], params["port"], wait_seconds, str(error).strip())
        return 1
    try:
        with conn, conn.cursor() as cur:
            # Two migrations started at once must not race on CREATE TABLE.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('tasks-migrate'))")
            cur.execute(SCHEMA)
    except psycopg2.Error as error:
        log.error("migration failed: %s", str(error).strip())
        return 1
    finally:
        conn.close()
    log.info("schema is up to date (database %s)", params["dbname"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
