"""Where the panes sit: the thread list's share of the width, per window size class.

A fixed list width suits one screen only: 450 px is a third of a laptop window but leaves a
1600 px window's list showing fifteen characters of subject, and at 640 px squeezes the patch
to 180 px. So the list gets a share of the width, and a share the user drags the splitter to
is remembered for windows of that size class: a laptop window and a maximised 2560 px one
each keep their own. The review page / message pane split and the list's header are saved as
Qt states, as before.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QSplitter

from viewer.ui.settings import Settings
from viewer.ui.thread_list import ThreadList

SIZE_CLASSES = (("small", 1280), ("medium", 2000), ("large", 1 << 30))
"""(name, windows narrower than this many pixels)."""
DEFAULT_SHARE = {"small": 0.42, "medium": 0.40, "large": 0.34}
"""The list's share of the width until the user moves the splitter: a small window needs a
larger share for subjects to show at all, a large one gives the page the room."""


def size_class(width: int) -> str:
    return next(name for name, below in SIZE_CLASSES if width < below)


class WindowLayout:
    """Restores and saves the window's panes; the window calls it on show, resize, close."""

    def __init__(
        self,
        window: QMainWindow,
        settings: Settings,
        main_splitter: QSplitter,
        right_splitter: QSplitter,
        tree: ThreadList,
    ) -> None:
        self.window = window
        self.settings = settings
        self.main = main_splitter
        self.right = right_splitter
        self.tree = tree
        self._placing = False
        self._right_restored = False
        self.extra = lambda: 0
        """Pixels the left pane holds besides the list (the saved views beside it): added to
        the list's share when placing, left out when a share is remembered."""
        main_splitter.splitterMoved.connect(self._moved)

    def restore(self) -> None:
        s = self.settings
        for name, restore in (
            ("geometry", self.window.restoreGeometry),
            ("window", self.window.restoreState),
            ("right_splitter", self.right.restoreState),
            ("thread_header", self.tree.header().restoreState),
        ):
            state = s.layout(name)
            if state is not None:
                restore(state)
        self._right_restored = s.layout("right_splitter") is not None
        self.place()

    def share(self) -> float:
        """The list's share for the window's current size class."""
        name = size_class(self.window.width())
        return self.settings.list_share(name) or DEFAULT_SHARE[name]

    def place(self) -> None:
        """Give the list its share of the splitter (on show and every window resize)."""
        total = sum(self.main.sizes()) or self.window.width()
        left = min(round(total * self.share()) + self.extra(), total - 100)
        self._placing = True
        try:
            self.main.setSizes([left, max(1, total - left)])
        finally:
            self._placing = False
        if not self._right_restored:
            # the review page gets most of the height; the raw mail is for checking
            height = sum(self.right.sizes()) or self.window.height()
            self.right.setSizes([int(height * 0.68), int(height * 0.32)])

    def _moved(self, _position: int, _index: int) -> None:
        if self._placing:
            return
        sizes = self.main.sizes()
        if sum(sizes) > 0:
            self.settings.set_list_share(size_class(self.window.width()),
                                         max(0.05, (sizes[0] - self.extra()) / sum(sizes)))

    def save(self) -> None:
        s = self.settings
        s.set_layout("geometry", self.window.saveGeometry())
        s.set_layout("window", self.window.saveState())
        s.set_layout("right_splitter", self.right.saveState())
        sizes = self.main.sizes()
        listed = sizes[0] - self.extra()
        if sum(sizes) > 0 and abs(listed / sum(sizes) - self.share()) > 0.005:
            # moved from code or a drag Qt did not report: keep what is on screen
            s.set_list_share(size_class(self.window.width()), max(0.05, listed / sum(sizes)))
        s.set_layout("thread_header", self.tree.user_header_state())
        s.sync()
