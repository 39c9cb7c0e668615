"""Background-task settings: the queue, the result store and the cache can be separate Redis
databases; on PostgreSQL task progress has its own connection. Each case loads the settings
module in a fresh process with only the environment given."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, config.settings as s; print(json.dumps({"
    "'broker': s.CELERY_BROKER_URL, 'results': s.CELERY_RESULT_BACKEND,"
    "'cache': s.CACHES['default'].get('LOCATION'), 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    "'databases': {k: {'name': v['NAME'], 'mirror': v.get('TEST', {}).get('MIRROR')}"
    " for k, v in s.DATABASES.items()},"
    "'state_db': s.TASK_STATE_DATABASE, 'beat': sorted(s.CELERY_BEAT_SCHEDULE)}))"
)
VARIABLES = {"DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "CELERY_RESULT_URL"}


def settings_for(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    clean.update(SHOPWRIGHT_READ_DOT_ENV="false", DEBUG="", SECRET_KEY="x" * 50, **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_queue_results_and_cache_can_be_three_redis_databases():
    s = settings_for(
        REDIS_URL="redis://redis.example:6379/0",
        CELERY_RESULT_URL="redis://redis.example:6379/2",
        REDIS_CACHE_URL="redis://redis.example:6379/1",
    )
    assert s["broker"] == "redis://redis.example:6379/0"
    assert s["results"] == "redis://redis.example:6379/2"
    assert s["cache"] == "redis://redis.example:6379/1"


def test_results_and_cache_default_to_the_queues_redis():
    s = settings_for(REDIS_URL="redis://redis.example:6379/0")
    assert s["broker"] == s["results"] == s["cache"] == "redis://redis.example:6379/0"


def test_embedded_mode_keeps_results_in_memory_and_one_database_connection():
    s = settings_for()
    assert s["eager"] is True
    assert s["results"] == "cache+memory://"
    assert set(s["databases"]) == {"default"} and s["state_db"] == "default"


def test_on_postgresql_task_progress_has_its_own_connection_to_the_same_database():
    s = settings_for(DATABASE_URL="postgres://u:p@127.0.0.1:5432/shop")
    assert s["state_db"] == "tasks"
    assert s["databases"]["tasks"] == {"name": "shop", "mirror": "default"}


def test_beat_runs_recovery_and_periodic_dispatch():
    assert settings_for()["beat"] == ["core.recover_tasks", "core.run_periodic"]
