#!/usr/bin/env bash
# Start a local doccano server for the tests and export DOCCANO_URL / DOCCANO_USERNAME /
# DOCCANO_PASSWORD for them. SOURCE it (it exports into the calling shell):
#
#   source scripts/doccano-ci.sh            # starts (or reuses) the server, exports the env vars
#   .venv/bin/python -m pytest -q           # tests marked `doccano` now run against it
#   .venv/bin/indicators doccano stop --home .doccano/ci-home
#
# The first run installs doccano into .doccano/venv (a minute or two). The server listens on
# 127.0.0.1:${DOCCANO_CI_PORT:-8765} with its data in .doccano/ci-home; the CI admin's password
# is generated once and kept in .doccano/ci-home/ci-credentials (mode 600), never printed.
# If the server cannot start, a warning is printed and the doccano tests skip themselves.

_doccano_ci() {
    local root home port cred log
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    home="${DOCCANO_CI_HOME:-$root/.doccano/ci-home}"
    port="${DOCCANO_CI_PORT:-8765}"
    cred="$home/ci-credentials"
    log="$home/ci-serve.log"
    mkdir -p "$home"
    if [ ! -s "$cred" ]; then
        (umask 077 && python3 -c 'import secrets; print("ci-admin"); print(secrets.token_urlsafe(18))' > "$cred")
    fi
    export DOCCANO_USERNAME="$(sed -n 1p "$cred")"
    export DOCCANO_PASSWORD="$(sed -n 2p "$cred")"
    export DOCCANO_URL="http://127.0.0.1:$port"
    echo "doccano-ci: starting doccano on $DOCCANO_URL (data in $home, log $log)" >&2
    if "$root/.venv/bin/indicators" doccano serve --port "$port" --home "$home" >"$log" 2>&1; then
        echo "doccano-ci: doccano answers at $DOCCANO_URL" >&2
    else
        echo "doccano-ci: WARNING: doccano did not start (see $log); doccano tests will skip" >&2
    fi
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "usage: source ${0} (it exports DOCCANO_URL/USERNAME/PASSWORD into your shell)" >&2
    exit 2
fi
_doccano_ci
unset -f _doccano_ci
