"""Settings come from the environment, in one module; each case imports it in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, config.settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'],"
    "'name': s.DATABASES['default']['NAME'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'],"
    "'secure_cookie': getattr(s, 'SESSION_COOKIE_SECURE', False),"
    "'sessions': getattr(s, 'SESSION_ENGINE', 'django.contrib.sessions.backends.db'),"
    "'db_options': s.DATABASES['default'].get('OPTIONS', {})}))"
)


def load(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(SHOPWRIGHT_READ_DOT_ENV="false", DEBUG="", SECRET_KEY="")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def settings_for(**env) -> dict:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_debug_a_secret_key_is_required():
    result = load()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_default_is_sqlite_in_wal_mode_with_in_process_tasks():
    s = settings_for(SECRET_KEY="x" * 50)
    assert s["debug"] is False
    assert s["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in s["db_options"]["init_command"]
    assert s["eager"] is True
    assert s["secure_cookie"] is True
    assert s["sessions"] == "django.contrib.sessions.backends.db"  # no shared cache to read


def test_database_and_redis_urls_switch_to_production_mode():
    s = settings_for(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/shop",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "shop"
    assert s["eager"] is False
    assert s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["cache"] == "core.cache.RedisCache"
    assert s["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_postgresql_prepares_repeated_queries_unless_turned_off():
    url = "postgres://u:p@127.0.0.1:5432/shop"
    options = settings_for(SECRET_KEY="x" * 50, DATABASE_URL=url)["db_options"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 2
    assert "jit=off" in options["options"]

    # Behind a pooler in transaction mode: no prepared statements, client-side binding.
    off = settings_for(SECRET_KEY="x" * 50, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in off["db_options"]
    assert "prepare_threshold" not in off["db_options"]


def test_debug_is_only_on_when_set():
    assert settings_for(DEBUG="true")["debug"] is True
    assert settings_for(DEBUG="false", SECRET_KEY="x" * 50)["debug"] is False


def test_the_web_process_freezes_what_it_loaded_at_start():
    # config.wsgi hands the objects loaded at start-up to gc.freeze(): full collections during
    # requests then skip them (bench/README.md).
    probe = "import gc, config.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    frozen = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert int(frozen) > 10_000
