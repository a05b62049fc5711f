"""Preferences and window layout remembered between runs, through QSettings.

Only what the user changed is written (a default is never stored, so improving a default
reaches everyone). ``HUNKWISE_CONFIG_DIR`` points the file elsewhere, for tests and for
screenshot runs that must not disturb a real profile.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QFont, QFontDatabase

from viewer.core.thread_sort import SORT_KEYS
from viewer.ui.thread_model import DEFAULT_SORT

THEMES = ("system", "light", "dark")
MAX_RECENT = 10


def default_monospace() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class Settings:
    """Typed access to the app's QSettings; one instance per window."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        if qsettings is None:
            qsettings = self._default_qsettings()
        self.q = qsettings

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> Settings:
        """Settings kept in one INI file (tests, portable use)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @staticmethod
    def _default_qsettings() -> QSettings:
        override = os.environ.get("HUNKWISE_CONFIG_DIR")
        if override:
            return QSettings(str(Path(override) / "hunkwise.ini"), QSettings.Format.IniFormat)
        return QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hunkwise", "hunkwise"
        )

    @property
    def path(self) -> str:
        return self.q.fileName()

    def sync(self) -> None:
        self.q.sync()

    def _set(self, key: str, value: object, default: object) -> None:
        if value == default:
            self.q.remove(key)
        else:
            self.q.setValue(key, value)

    # -- triage -------------------------------------------------------------------------------

    @property
    def link_base(self) -> str:
        """Archive URL base for the Link: trailer of "Save for git am" (empty: no Link:)."""
        return str(self.q.value("triage/link_base", "") or "")

    @link_base.setter
    def link_base(self, value: str) -> None:
        self._set("triage/link_base", value.strip(), "")

    @property
    def am_repository(self) -> str:
        """The repository "Apply with git am" used last."""
        return str(self.q.value("triage/am_repository", "") or "")

    @am_repository.setter
    def am_repository(self, value: str) -> None:
        self._set("triage/am_repository", value, "")

    # -- appearance ---------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        value = str(self.q.value("view/theme", "system"))
        return value if value in THEMES else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        if value not in THEMES:
            raise ValueError(f"unknown theme {value!r} (known: {', '.join(THEMES)})")
        self._set("view/theme", value, "system")

    @property
    def font(self) -> QFont:
        """The monospace font of the review page and message pane."""
        stored = self.q.value("view/font", "")
        font = default_monospace()
        if stored and isinstance(stored, str):
            font.fromString(stored)
        return font

    @font.setter
    def font(self, font: QFont) -> None:
        self._set("view/font", font.toString(), default_monospace().toString())

    @property
    def only_commented_hunks(self) -> bool:
        return _bool(self.q.value("view/only_commented_hunks", False))

    @only_commented_hunks.setter
    def only_commented_hunks(self, value: bool) -> None:
        self._set("view/only_commented_hunks", bool(value), False)

    @property
    def list_zoom(self) -> float:
        """Points added to the thread list's font by Ctrl++ / Ctrl+- (0: the desktop's)."""
        try:
            return float(self.q.value("view/list_zoom", 0.0))
        except (TypeError, ValueError):
            return 0.0

    @list_zoom.setter
    def list_zoom(self, value: float) -> None:
        self._set("view/list_zoom", float(value), 0.0)

    @property
    def sort_order(self) -> tuple[str, bool]:
        """The thread list's (column key, descending); the mailbox's own order by default."""
        key = str(self.q.value("view/sort", DEFAULT_SORT[0]))
        if key not in SORT_KEYS:
            return DEFAULT_SORT
        return key, _bool(self.q.value("view/sort_descending", DEFAULT_SORT[1]))

    @sort_order.setter
    def sort_order(self, value: tuple[str, bool]) -> None:
        key, descending = value
        if key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {key!r}")
        if (key, bool(descending)) == DEFAULT_SORT:
            self.q.remove("view/sort")
            self.q.remove("view/sort_descending")
        else:
            self.q.setValue("view/sort", key)
            self.q.setValue("view/sort_descending", bool(descending))

    # -- recent files -------------------------------------------------------------------------

    @property
    def recent_files(self) -> list[str]:
        value = self.q.value("files/recent", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list
            value = [value]
        return [str(v) for v in value or []][:MAX_RECENT]

    def add_recent(self, path: str | os.PathLike[str]) -> None:
        name = str(Path(path).expanduser().resolve())
        recent = [name] + [p for p in self.recent_files if p != name]
        self.q.setValue("files/recent", recent[:MAX_RECENT])

    def clear_recent(self) -> None:
        self.q.remove("files/recent")

    # -- layout -------------------------------------------------------------------------------

    @property
    def identity(self) -> tuple[str, str]:
        """(name, email) the user set for replies; empty strings: use git config user.*."""
        return (str(self.q.value("identity/name", "") or ""),
                str(self.q.value("identity/email", "") or ""))

    @identity.setter
    def identity(self, value: tuple[str, str]) -> None:
        self._set("identity/name", value[0].strip(), "")
        self._set("identity/email", value[1].strip(), "")

    def layout(self, name: str) -> QByteArray | None:
        """A saved geometry/state blob (window, splitters, list header)."""
        value = self.q.value(f"layout/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_layout(self, name: str, state: QByteArray) -> None:
        self.q.setValue(f"layout/{name}", state)

    def list_share(self, size_class: str) -> float | None:
        """The share of the window's width the user gave the thread list in windows of
        this size class (see viewer.ui.window_layout), None when never changed."""
        value = self.q.value(f"layout/list_share_{size_class}")
        try:
            share = float(value) if value is not None else None
        except (TypeError, ValueError):
            return None
        return share if share is not None and 0.05 <= share <= 0.95 else None

    def set_list_share(self, size_class: str, share: float) -> None:
        self.q.setValue(f"layout/list_share_{size_class}", round(float(share), 4))


def _bool(value: object) -> bool:
    # INI files hand booleans back as the strings "true"/"false".
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)
