"""Help → About: what this program is, which version, under which licence.

A plain dialog rather than ``QMessageBox.about``: that one is modal and blocks until closed,
which a test (and a user reading the version while looking at the window) can do without.
"""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from viewer import __version__

DESCRIPTION = ("A thread viewer for patch review over email: every reviewer's comment "
               "inline under the patch line it quotes.")
LICENCE = "GPL-2.0-or-later"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Hunkwise")
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>Hunkwise {__version__}</h2>", self)
        title.setObjectName("aboutTitle")
        description = QLabel(DESCRIPTION, self)
        description.setWordWrap(True)
        licence = QLabel(
            f"Licence: {LICENCE} (GNU General Public License, version 2 or any later "
            f"version).", self)
        licence.setWordWrap(True)
        versions = QLabel(
            f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {pyside_version}",
            self)
        versions.setObjectName("aboutVersions")
        for label in (title, description, licence, versions):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
