#!/usr/bin/env bash
# The whole test suite in two stages (what `make test` runs). Extra arguments go to pytest.
#
#   stage 1: everything not marked postgres/celery_worker, on SQLite, incl. the browser tests;
#   stage 2: the tests marked postgres or celery_worker, on PostgreSQL with Redis as cache,
#            rate-limit store and Celery broker, and a real Celery worker process.
#
# Stage 2 uses TEST_DATABASE_URL and TEST_REDIS_URL when both are set; otherwise this script
# starts a throwaway PostgreSQL and Redis (scripts/test-services) and always stops them again.
# A missing prerequisite is an error, never a reason to skip tests.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"
PYTHON="$VENV/bin/python"
CHROMIUM="${SHOPWRIGHT_CHROMIUM:-/usr/bin/chromium}"

# Never let Playwright fetch a browser: the tests drive the system's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# The suite configures itself; values from the caller's shell must not leak into stage 1.
unset DATABASE_URL REDIS_URL DJANGO_SETTINGS_MODULE

fail() {
    echo "make test: ERROR: $*" >&2
    exit 2
}
header() {
    local line="=================================================================================="
    printf '\n%s\n  %s\n%s\n' "$line" "$*" "$line"
}

[ -x "$PYTHON" ] || fail "$PYTHON not found; run 'make test' (it creates the virtualenv)."
# redis-server, chromium and the PostgreSQL server binaries: installed here when missing (as root
# or with password-less sudo), else we stop with the command to run.
bash scripts/ensure-test-tools || exit 2
[ -x "$CHROMIUM" ] || fail "Chromium not found at $CHROMIUM; the browser tests need it (Debian: apt-get install chromium)."

if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_REDIS_URL:-}" ]; then
    echo "Using the PostgreSQL and Redis given by TEST_DATABASE_URL / TEST_REDIS_URL."
else
    if [ -n "${TEST_DATABASE_URL:-}${TEST_REDIS_URL:-}" ]; then
        echo "Only one of TEST_DATABASE_URL / TEST_REDIS_URL is set; starting both servers here."
    fi
    # A private state file, so that a concurrent run in the same folder cannot stop ours.
    SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/shopwright-test-run.XXXXXX")"
    export TEST_SERVICES_STATE="$SERVICES_DIR/state"
    cleanup() {
        trap '' PIPE INT TERM HUP
        bash scripts/test-services stop || true
        rm -rf "$SERVICES_DIR"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap 'exit 141' PIPE
    exports="$(bash scripts/test-services start)" || fail "could not start PostgreSQL and Redis (see above)."
    eval "$exports"
fi

# Exit status 5 means "no tests collected": fine when the caller narrowed the selection with
# arguments (e.g. one file), an error for the full suite.
status_of() {
    local rc=$1
    if [ "$rc" -eq 5 ] && [ $# -gt 1 ]; then
        echo "(no tests of this stage matched the arguments)"
        return 0
    fi
    return "$rc"
}

header "Stage 1/2: SQLite, in-process tasks, browser tests  [-m 'not postgres and not celery_worker']"
t0=$SECONDS
"$PYTHON" -m pytest -m "not postgres and not celery_worker" "$@"
rc1=$?
status_of "$rc1" "$@"
rc1=$?
d1=$((SECONDS - t0))

header "Stage 2/2: PostgreSQL, Redis, real Celery worker  [-m 'postgres or celery_worker']"
echo "DATABASE_URL=$TEST_DATABASE_URL  REDIS_URL=$TEST_REDIS_URL"
t0=$SECONDS
DATABASE_URL="$TEST_DATABASE_URL" REDIS_URL="$TEST_REDIS_URL" \
    "$PYTHON" -m pytest -m "postgres or celery_worker" "$@"
rc2=$?
status_of "$rc2" "$@"
rc2=$?
d2=$((SECONDS - t0))

verdict() { if [ "$1" -eq 0 ]; then echo "passed"; else echo "FAILED (exit $1)"; fi; }
header "Summary"
echo "  stage 1 (SQLite + browser):        $(verdict "$rc1") in ${d1}s"
echo "  stage 2 (PostgreSQL + Redis/Celery): $(verdict "$rc2") in ${d2}s"
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
