"""The worker: takes task ids from the Redis list `tasks:queue` and marks the tasks done in Postgres.

SIGTERM (or SIGINT) stops it gracefully: the task in hand is finished, then it exits 0. TASK_SECONDS (default 0)
simulates the work each task takes.
"""
import os
import signal
import sys
import threading
import time

import psycopg2
import redis

from settings import instance_name, require, setup_logging
from stores import Database, connect_redis

QUEUE = "tasks:queue"
POLL_SECONDS = 1  # how long BRPOP blocks; also the longest a stop request waits while idle

log = setup_logging("worker")
stopping = threading.Event()


def request_stop(signum, _frame):
    log.info("received %s, finishing the current task then exiting", signal.Signals(signum).name)
    stopping.set()


def process(db, task_id, name, work_seconds):
    log.info("task %s taken", task_id)
    started = time.monotonic()
    time.sleep(work_seconds)
    with db.cursor() as cur:
        cur.execute(
            "UPDATE tasks SET status = 'done', processed_at = now(), processed_by = %s WHERE id = %s RETURNING title",
            (name, task_id),
        )
        row = cur.fetchone()
    if row is None:
        log.warning("task %s not found, skipped", task_id)
    else:
        log.info("task %s done: %r (%d ms)", task_id, row[0], (time.monotonic() - started) * 1000)


def run(queue, db, name, work_seconds):
    while not stopping.is_set():
        try:
            item = queue.brpop(QUEUE, timeout=POLL_SECONDS)
            if item is None:
                continue
            task_id = int(item[1])
            try:
                process(db, task_id, name, work_seconds)
            except psycopg2.OperationalError:
                queue.rpush(QUEUE, task_id)  # back at the head of the queue: it is taken next
                raise
        except (redis.ConnectionError, redis.TimeoutError, psycopg2.OperationalError) as error:
            log.warning("backing service unavailable, retrying in 1 s: %s", str(error).strip())
            stopping.wait(1)


def main():
    db = Database(require("DATABASE_URL"), size=1)
    queue = connect_redis(require("REDIS_URL"), socket_timeout=POLL_SECONDS + 5)
    name = instance_name("worker")
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker %s waiting for tasks on %s", name, QUEUE)
    run(queue, db, name, float(os.environ.get("TASK_SECONDS", "0")))
    log.info("worker %s stopped", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
