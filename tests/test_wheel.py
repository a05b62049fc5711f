"""The wheel is the app: built, installed into a fresh venv, it opens its demo and shows icons.

Slow for a test (~10-20 s), so as lean as it gets: the wheel is built offline from a copy of
the sources (--no-build-isolation, nothing downloaded, nothing written into the checkout), and
installed with --no-deps into a venv whose only other packages are the project venv's, reached
through a .pth line (that adds the directory but runs none of its .pth files, so the
checkout's editable install stays out of sight and ``viewer`` can only come from the wheel).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("viewer", "resources", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _have(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"],
                          capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    for module in ("setuptools", "wheel"):
        if not _have(module):
            pytest.skip(f"building the wheel needs {module}: pip install '.[test]'")
    tree = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, tree / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(tree)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("hunkwise-*.whl")
    return built


def test_wheel_carries_the_run_time_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "viewer/resources/demo.mbox" in names
    assert "viewer/resources/icons/org.hunkwise.Hunkwise.svg" in names
    assert "viewer/py.typed" in names
    # sources of the resources are not run-time files
    assert not any(n.startswith("viewer/resources/demo/") for n in names)


def test_installed_wheel_opens_its_demo_with_a_screenshot(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True).stdout
    # PySide6 and the other dependencies, from the project venv, without its editable install
    Path(site.strip(), "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--disable-pip-version-check", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(QT_QPA_PLATFORM="offscreen", HUNKWISE_CONFIG_DIR=str(tmp_path / "cfg"),
               HUNKWISE_DATA_DIR=str(tmp_path / "data"),
               HUNKWISE_CACHE_DIR=str(tmp_path / "cache"))
    where = subprocess.run(
        [str(python), "-c", "import viewer; from viewer.ui.app import demo_mailbox, resource;"
         "print(viewer.__file__); print(demo_mailbox());"
         "print(resource('icons/org.hunkwise.Hunkwise.svg'))"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    lines = where.stdout.split()
    assert all(line.startswith(str(venv)) for line in lines), lines  # from the wheel
    out = tmp_path / "shot.png"
    shot = subprocess.run(
        [str(venv / "bin" / "hunkwise"), "--screenshot", str(out), "--size", "800x600"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert shot.returncode == 0, shot.stderr
    assert "demo mailbox" not in shot.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (800, 600)
