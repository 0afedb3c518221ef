"""Configuration from the environment, logging, and who this process is.

Every setting comes from an environment variable, as in a container: DATABASE_URL, REDIS_URL, LOG_LEVEL, and the
variables berth sets for each replica (BERTH_SERVICE, BERTH_REPLICA, BERTH_RELEASE, PORT).
"""
import logging
import os
import sys


EXAMPLES = {
    "DATABASE_URL": "postgresql://tasks:secret@db:5432/tasks",
    "REDIS_URL": "redis://redis:6379/0",
}


def require(name):
    """The value of a required variable; exits with a clear message (status 1) when it is missing."""
    value = os.environ.get(name, "").strip()
    if not value:
        sys.exit(f"error: {name} is not set (example: {EXAMPLES.get(name, '...')})")
    return value


def setup_logging(name):
    """Logs go to stdout, one line each, at LOG_LEVEL (default info)."""
    level_name = os.environ.get("LOG_LEVEL", "info").upper()
    level = logging.getLevelName(level_name)
    logging.basicConfig(
        stream=sys.stdout,
        level=level if isinstance(level, int) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log = logging.getLogger(name)
    if not isinstance(level, int):
        log.warning("unknown LOG_LEVEL %r, using info", level_name)
    return log


def identity():
    """Which replica of which service (and release) this process is, from what berth sets; absent keys are left out."""
    keys = {"service": "BERTH_SERVICE", "replica": "BERTH_REPLICA", "release": "BERTH_RELEASE", "port": "PORT"}
    found = {key: os.environ[var] for key, var in keys.items() if os.environ.get(var)}
    return {**found, "pid": os.getpid()}


def instance_name(default_service):
    """A short name for logs and the processed_by column: `worker.2/1234` (service.replica/pid)."""
    service = os.environ.get("BERTH_SERVICE") or default_service
    replica = os.environ.get("BERTH_REPLICA") or "1"
    return f"{service}.{replica}/{os.getpid()}"
