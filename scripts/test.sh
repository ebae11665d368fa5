#!/usr/bin/env bash
# The test command (README and .ci/run): lint, start a local doccano server for the
# server tests, run pytest, stop the server again.
#   INDICATORS_SKIP_DOCCANO=1  do not start doccano (the server tests then skip)
# Under CI (CI=true) a doccano server that does not start is an error, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests scripts
if [ "${INDICATORS_SKIP_DOCCANO:-0}" != "1" ]; then
    # shellcheck source=scripts/doccano-ci.sh
    source scripts/doccano-ci.sh
    trap '.venv/bin/indicators doccano stop --home "${DOCCANO_CI_HOME:-.doccano/ci-home}" >/dev/null 2>&1 || true' EXIT
    if [ "${CI:-}" = "true" ] && ! .venv/bin/python -c \
        "import os,sys; from indicators.doccano.server import answers; sys.exit(0 if answers(os.environ['DOCCANO_URL']) else 1)"; then
        echo "error: the doccano server did not start (log: .doccano/ci-home/ci-serve.log)" >&2
        exit 1
    fi
fi
.venv/bin/python -m pytest -q "$@"
