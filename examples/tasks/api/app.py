"""The tasks API: FastAPI over Postgres (the tasks) and Redis (the work queue and a hit counter).

Run it as compose does: python3 -m uvicorn app:app --host 0.0.0.0 --port 8000
"""
import psycopg2
import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, constr

from settings import identity, require, setup_logging
from stores import Database, connect_redis

QUEUE = "tasks:queue"
HITS = "tasks:hits"
COLUMNS = "id, title, status, created_at, processed_at, processed_by"

log = setup_logging("api")
db = Database(require("DATABASE_URL"))
cache = connect_redis(require("REDIS_URL"), socket_timeout=2)
app = FastAPI(title="tasks")


class NewTask(BaseModel):
    title: constr(strip_whitespace=True, min_length=1, max_length=200)


def row_to_task(cur, row):
    return dict(zip([column.name for column in cur.description], row))


@app.exception_handler(psycopg2.OperationalError)
@app.exception_handler(redis.ConnectionError)
@app.exception_handler(redis.TimeoutError)
def unavailable(_request: Request, error: Exception):
    log.warning("backing service unavailable: %s", error)
    return JSONResponse({"detail": f"backing service unavailable: {type(error).__name__}"}, status_code=503)


@app.get("/")
def index():
    try:
        hits = cache.incr(HITS)
    except redis.RedisError:
        hits = None
    # Top level: which service and replica answered (`curl localhost:8000/` a few times shows the balancing).
    return {"app": "tasks", **identity(), "hits": hits,
            "endpoints": ["GET /health", "GET /tasks", "POST /tasks {\"title\": ...}"]}


@app.get("/health")
def health():
    """200 only when both Postgres and Redis answer; otherwise 503 with what failed."""
    failing = {}
    try:
        with db.cursor() as cur:
            cur.execute("SELECT 1")
    except psycopg2.Error as error:
        failing["postgres"] = str(error).strip() or type(error).__name__
    try:
        cache.ping()
    except redis.RedisError as error:
        failing["redis"] = str(error) or type(error).__name__
    if failing:
        return JSONResponse({"status": "unavailable", "failing": failing}, status_code=503)
    return {"status": "ok"}


@app.get("/tasks")
def list_tasks(limit: int = 100):
    with db.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM tasks ORDER BY id DESC LIMIT %s", (max(1, min(limit, 1000)),))
        return [row_to_task(cur, row) for row in cur.fetchall()]


@app.post("/tasks", status_code=201)
def create_task(new: NewTask):
    with db.cursor() as cur:
        cur.execute(f"INSERT INTO tasks (title) VALUES (%s) RETURNING {COLUMNS}", (new.title,))
        task = row_to_task(cur, cur.fetchone())
    # Queue only once the row is committed, so that the worker always finds it.
    try:
        cache.lpush(QUEUE, task["id"])
    except redis.RedisError:
        with db.cursor() as cur:
            cur.execute("DELETE FROM tasks WHERE id = %s", (task["id"],))
        raise
    log.info("task %s queued: %r", task["id"], task["title"])
    return {**task, "served_by": identity()}
