#!/usr/bin/env bash
# Get a checkout ready to run or test, from a fresh Debian machine with only Python 3.11:
#   1. .venv (python3 -m venv; installs python3-venv with apt-get when root and it is missing),
#   2. the project and its test tools in it (pip install -e '.[EXTRAS]'), skipped while
#      pyproject.toml is unchanged (a stamp file holds its hash),
#   3. the system libraries Qt needs (scripts/check_qt_libs.py; apt-get when root),
#   and in test mode public-inbox (the lore tests' server; apt-get when root, else they skip).
# Usage: scripts/bootstrap.sh test|run|bundle      (called by `make test`, `make run`, ...)
set -euo pipefail

use=${1:-test}
cd "$(dirname "$0")/.."
venv=.venv
extras=test
[ "$use" = bundle ] && extras=test,bundle

say() { printf 'bootstrap: %s\n' "$*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# --- 1. an interpreter and a venv --------------------------------------------------------------
find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    python=$(find_python) || {
        say "Python 3.11 or newer is needed (apt-get install python3); set PYTHON=/path/to/python3.11"
        exit 1
    }
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    # Debian splits venv/ensurepip into python3-venv; without it `-m venv` leaves a venv with no
    # pip. Check first rather than half-create one.
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        if is_root && command -v apt-get >/dev/null 2>&1; then
            say "installing python3-venv (python$version-venv) with apt-get"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv "python$version-venv" ||
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        else
            say "the Python venv module is missing; please run:"
            say "    sudo apt-get install -y python3-venv python$version-venv"
            exit 1
        fi
    fi
    rm -rf "$venv"
    say "creating $venv with $python ($version)"
    "$python" -m venv "$venv"
fi

# --- 2. the project in the venv ----------------------------------------------------------------
stamp="$venv/.hunkwise-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) [$extras]"
have=$(cat "$stamp" 2>/dev/null || true)
# A bundle install also satisfies test and run; test/run never downgrade a bundle stamp.
if [ "$have" != "$want" ] && [ "$have" != "${want% *} [test,bundle]" ]; then
    say "installing the project into $venv (pip install -e '.[$extras]')"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".[$extras]"
    echo "$want" >"$stamp"
fi

# --- 2b. public-inbox for the lore tests (test mode only) --------------------------------------
# tests/lore runs a real public-inbox-httpd on 127.0.0.1; without it those tests skip with the
# install line. Try the install from the current package lists first (fast, quiet), and only
# when that fails refresh them with apt-get update and try once more.
if [ "$use" = test ] && ! command -v public-inbox-httpd >/dev/null 2>&1 &&
    is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing public-inbox (for the lore tests) with apt-get"
    apt_quiet() { DEBIAN_FRONTEND=noninteractive apt-get "$@" >/dev/null 2>&1; }
    apt_quiet install -y -qq public-inbox ||
        { apt_quiet update -qq && apt_quiet install -y -qq public-inbox; } ||
        say "public-inbox could not be installed; the lore tests will skip (apt-get install public-inbox)"
fi

# --- 3. Qt's system libraries -------------------------------------------------------------------
qt_use=test
[ "$use" = run ] && qt_use=run
exec "$venv/bin/python" scripts/check_qt_libs.py --for "$qt_use" --install
