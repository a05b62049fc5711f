"""Above the review page: the patch's revisions (v1 · v2 · v3), what became of the last
revision's comments, and the switch to the range-diff against it.

The facts come from :func:`viewer.core.revisions.patch_revisions`, worked out on a background
thread (it anchors the previous revision's thread) and dropped when the reader has moved on to
another patch by the time they arrive. The bar hides itself for a patch with one revision.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QToolButton, QWidget

from viewer.core.revisions import PatchRevisions, patch_revisions, series_range_diff
from viewer.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.range_diff import RangeDiffEntry


class RevisionBar(QWidget):
    open_revision = Signal(str)
    """The reader picked another revision of the patch: its Message-ID."""
    range_diff_toggled = Signal(bool)
    """Show (True) or leave (False) the range-diff against the previous revision."""
    range_diff_ready = Signal(object)
    """The range-diff entries for the patch shown, once computed."""
    carried_ready = Signal(object)
    """The PatchRevisions of the patch shown (its carried comments), once computed."""
    only_unchanged_toggled = Signal(bool)
    failed = Signal(str)
    """Comparing revisions raised: a message for the message bar (the patch is still shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revisionBar")
        self.revisions: PatchRevisions | None = None
        self.entries: list[RangeDiffEntry] = []
        self._archive: Archive | None = None
        self._msgid: str | None = None
        self._runner = TaskRunner(self)
        self._runner.succeeded.connect(self._on_facts)
        self._runner.failed.connect(self._on_failed)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.versions = QLabel(self)
        self.versions.setTextFormat(Qt.TextFormat.RichText)
        self.versions.linkActivated.connect(self.open_revision)
        self.summary = QLabel(self)
        self.summary.setObjectName("revisionSummary")
        self.only_unchanged = QCheckBox("Only unchanged", self)
        self.only_unchanged.setToolTip(
            "Show only the previous revision's comments whose line and neighbours are "
            "unchanged: the ones most likely not addressed yet")
        self.only_unchanged.toggled.connect(self.only_unchanged_toggled)
        self.range_button = QToolButton(self)
        self.range_button.setText("Range-diff")
        self.range_button.setCheckable(True)
        self.range_button.setToolTip("What changed since the previous revision, as git "
                                     "range-diff shows it (Ctrl+R)")
        self.range_button.toggled.connect(self.range_diff_toggled)
        layout.addWidget(self.versions)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.only_unchanged)
        layout.addWidget(self.range_button)
        self.hide()

    def show_patch(self, archive: Archive, msgid: str,
                   addressed: Collection[tuple[str, str]] = ()) -> None:
        """Ask for the facts of a newly shown patch; the bar waits hidden until they come.
        ``addressed``: the comments ticked by hand, from the triage store."""
        if (archive, msgid) == (self._archive, self._msgid):
            return
        self._archive, self._msgid = archive, msgid
        self.revisions, self.entries = None, []
        self.range_button.setChecked(False)
        self.hide()

        def job(_progress, _cancelled):
            revisions = patch_revisions(archive, msgid, addressed)
            entries = []
            if revisions is not None and revisions.previous is not None:
                entries = series_range_diff(archive, revisions.previous, msgid)
            return msgid, revisions, entries

        self._runner.start(job)

    def clear(self) -> None:
        self._runner.cancel(quiet=True)
        self._archive = self._msgid = None
        self.revisions, self.entries = None, []
        self.range_button.setChecked(False)
        self.hide()

    def wait(self, msecs: int = 5000) -> bool:
        return self._runner.wait(msecs)

    def _on_facts(self, result) -> None:
        msgid, revisions, entries = result
        if msgid != self._msgid:
            return
        self.revisions, self.entries = revisions, entries
        if revisions is None:
            self.hide()
            return
        links = []
        for version, other in revisions.versions:
            if other == msgid:
                links.append(f"<b>v{version}</b>")
            elif other is None:
                links.append(f"<span style='color:gray'>v{version}</span>")
            else:
                links.append(f"<a href='{other}'>v{version}</a>")
        self.versions.setText("Revisions: " + " · ".join(links))
        self.summary.setText(revisions.summary())
        self.only_unchanged.setVisible(bool(revisions.carried))
        self.range_button.setEnabled(revisions.previous is not None)
        self.show()
        self.carried_ready.emit(revisions)
        self.range_diff_ready.emit(entries)

    def _on_failed(self, error: BaseException) -> None:
        # Revisions are extra: the patch itself is shown already; say why the bar is missing
        # (the traceback is logged where the job ran, viewer.ui.tasks).
        self.hide()
        self.failed.emit(f"Revisions of this patch could not be compared: "
                         f"{type(error).__name__}: {error}")
