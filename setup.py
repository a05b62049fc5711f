"""Ship resources/ inside the wheel: the demo mailbox and the icons the app loads at run time.

resources/ stays the one source (the demo's generator and the icon renderer write there); the
build copies what the app needs into ``viewer/resources/`` of the built package, where
``viewer.ui.app.resource`` finds it with importlib.resources. Everything else about the
package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RUNTIME_RESOURCES = (
    "demo.mbox",
    "icons/org.hunkwise.Hunkwise.svg",
    "icons/org.hunkwise.Hunkwise-48.png",
    "icons/org.hunkwise.Hunkwise-128.png",
    "icons/org.hunkwise.Hunkwise-256.png",
)
"""What the installed app opens: File → Open Demo Mailbox and the window icon."""


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "resources"
        target = Path(self.build_lib) / "viewer" / "resources"
        for relative in RUNTIME_RESOURCES:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, destination)


setup(cmdclass={"build_py": BuildWithResources})
