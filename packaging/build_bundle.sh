#!/usr/bin/env bash
# Build the one-folder bundle dist/hunkwise/ with PyInstaller and check that it runs:
# the command line on the bundled demo, and an offscreen screenshot of the GUI.
# Usage: packaging/build_bundle.sh   (or `make bundle`, which first installs PyInstaller)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}

"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/hunkwise.spec

app=dist/hunkwise/hunkwise
demo=$(find dist/hunkwise -name demo.mbox -print -quit)
[ -n "$demo" ] || { echo "build_bundle: demo.mbox missing from the bundle" >&2; exit 1; }

"$app" --version
"$app" index "$demo" --no-cache
shot=$(mktemp --suffix=.png)
QT_QPA_PLATFORM=offscreen HUNKWISE_CONFIG_DIR=$(mktemp -d) "$app" --screenshot "$shot"
[ -s "$shot" ] || { echo "build_bundle: the screenshot run wrote nothing" >&2; exit 1; }
echo "build_bundle: dist/hunkwise/ ($(du -sh dist/hunkwise | cut -f1)) runs; screenshot $shot"
