"""Reply trees from Message-ID / In-Reply-To / References (JWZ-style, placeholders for gaps).

Named threader, not threading, so it never shadows the standard library module.

Differences from JWZ's algorithm, each for a reason seen in real mail:

* A message's own headers decide its parent (In-Reply-To first, else the last References id),
  and only then do other messages' References chains fill in parents nobody declared. Clients
  that write References oldest-last (notmuch's "parent-priority" case) would otherwise hang a
  root under its own reply.
* Placeholders with several children are kept, not dissolved into their parent's level: a
  reviewer should see that three replies answer a mail that is not in the mailbox.
* A duplicated Message-ID keeps both copies; the second hangs under its own parent, or under
  the first copy when it has none, so no message is ever dropped.
* Subjects are never used to merge threads, except that a reply with no threading headers at
  all ("Re: X") is hung under the root "X" (mail sent from web forms and some phones).

Everything is iterative: a 2,000-deep reply chain must not hit Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from viewer.core.bulk import collector_paused
from viewer.core.index_entry import IndexEntry
from viewer.core.subject import strip_reply

_NO_DATE = float("inf")


@dataclass(eq=False, slots=True)
class ThreadNode:
    msgid: str
    entry: IndexEntry | None
    """None for a placeholder: a parent that is referenced but not in the mailbox."""
    parent: ThreadNode | None = field(default=None, repr=False)
    children: list[ThreadNode] = field(default_factory=list, repr=False)

    def walk(self) -> Iterator[ThreadNode]:
        """This node and every descendant, depth first, in display order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def depth(self) -> int:
        """0 for a root."""
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth

    def root(self) -> ThreadNode:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


def _would_loop(child: ThreadNode, parent: ThreadNode) -> bool:
    """True when hanging child under parent closes a cycle (child is parent or its ancestor)."""
    node: ThreadNode | None = parent
    while node is not None:
        if node is child:
            return True
        node = node.parent
    return False


def _attach(child: ThreadNode, parent: ThreadNode) -> bool:
    if _would_loop(child, parent):
        return False
    if child.parent is not None:
        child.parent.children.remove(child)
    child.parent = parent
    parent.children.append(child)
    return True


def _own_parent_id(entry: IndexEntry) -> str | None:
    """In-Reply-To when it is usable, else the last References id; never the message itself."""
    if entry.in_reply_to and entry.in_reply_to != entry.msgid:
        return entry.in_reply_to
    for ref in reversed(entry.references):
        if ref and ref != entry.msgid:
            return ref
    return None


def build_threads(entries: Sequence[IndexEntry]) -> list[ThreadNode]:
    """Roots sorted by date of their first real message; children sorted by date."""
    with collector_paused():  # 50,000 nodes, none of them garbage (see viewer.core.bulk)
        return _build_threads(entries)


def _build_threads(entries: Sequence[IndexEntry]) -> list[ThreadNode]:
    table: dict[str, ThreadNode] = {}
    real: list[ThreadNode] = []
    duplicates: list[ThreadNode] = []

    get = table.get

    def container(msgid: str) -> ThreadNode:
        node = get(msgid)
        if node is None:
            node = table[msgid] = ThreadNode(msgid, None)
        return node

    for entry in entries:
        node = table.get(entry.msgid)
        if node is None:
            node = table[entry.msgid] = ThreadNode(entry.msgid, entry)
        elif node.entry is None:
            node.entry = entry  # referenced before it was seen
        else:
            node = ThreadNode(entry.msgid, entry)  # a second copy: never in the table
            duplicates.append(node)
        real.append(node)

    # 1. Each real message's own headers.
    for node in real:
        assert node.entry is not None
        parent_id = _own_parent_id(node.entry)
        if parent_id is not None:
            _attach(node, container(parent_id))

    # 2. References chains: "a b c" says b replied to a and c to b. Only for messages whose
    # own headers said nothing (placeholders, and real roots: the RT "ghost root" case).
    for node in real:
        assert node.entry is not None
        refs = node.entry.references
        if len(refs) < 2:
            continue
        previous: ThreadNode | None = None
        for ref in refs:
            if not ref or ref == node.msgid:
                continue
            current = get(ref) or container(ref)
            if previous is not None and current.parent is None and current is not previous:
                declared = current.entry is not None and _own_parent_id(current.entry)
                if not declared:
                    _attach(current, previous)
            previous = current

    # 3. A duplicate with no parent of its own stays with its first copy.
    for node in duplicates:
        if node.parent is None:
            _attach(node, table[node.msgid])

    roots = [node for node in table.values() if node.parent is None]
    roots += [node for node in duplicates if node.parent is None]
    roots = _prune(roots)
    roots = _hang_orphan_replies(roots)
    return _sort(roots)


def _prune(roots: list[ThreadNode]) -> list[ThreadNode]:
    """Drop empty placeholders, and replace placeholders that have a single child by it."""
    # Post-order over every node, children before parents, without recursion.
    order: list[ThreadNode] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    kept_roots: list[ThreadNode] = []
    for node in reversed(order):
        if node.entry is None and len(node.children) <= 1:
            child = node.children[0] if node.children else None
            parent = node.parent
            if parent is not None:
                index = parent.children.index(node)
                if child is None:
                    del parent.children[index]
                else:
                    parent.children[index] = child
            if child is not None:
                child.parent = parent
            node.children = []
            node.parent = None
            if parent is None and child is not None:
                kept_roots.append(child)
        elif node.parent is None:
            kept_roots.append(node)
    return kept_roots


def _hang_orphan_replies(roots: list[ThreadNode]) -> list[ThreadNode]:
    """ "Re: X" with no In-Reply-To and no References goes under the root "X" sent before it."""
    originals: dict[str, ThreadNode] = {}
    for root in roots:
        if root.entry is None:
            continue
        subject, is_reply = strip_reply(root.entry.subject)
        if not is_reply and subject:
            known = originals.get(subject)
            if known is None or _date(root) < _date(known):
                originals[subject] = root
    if not originals:
        return roots
    kept: list[ThreadNode] = []
    for root in roots:
        entry = root.entry
        if entry is not None and not entry.in_reply_to and not entry.references:
            subject, is_reply = strip_reply(entry.subject)
            original = originals.get(subject) if is_reply else None
            if original is not None and original is not root and _date(original) <= _date(root):
                root.parent = original
                original.children.append(root)
                continue
        kept.append(root)
    return kept


def _date(node: ThreadNode) -> float:
    if node.entry is None or node.entry.date is None:
        return _NO_DATE
    return node.entry.date


def _sort(roots: list[ThreadNode]) -> list[ThreadNode]:
    """Children by date, roots by their earliest real message; undated mail by mailbox order."""
    root_keys: list[tuple[float, int]] = []
    for root in roots:
        best = (_NO_DATE, 1 << 62)
        stack = [root]
        while stack:
            node = stack.pop()
            children = node.children
            if children:
                if len(children) > 1:
                    children.sort(key=_child_key)
                stack.extend(children)
            entry = node.entry
            if entry is not None:
                key = (_NO_DATE if entry.date is None else entry.date, entry.number)
                if key < best:
                    best = key
        root_keys.append(best)
    order = sorted(range(len(roots)), key=root_keys.__getitem__)
    return [roots[i] for i in order]


def _child_key(node: ThreadNode) -> tuple[float, int]:
    # A real reply sorts by its own date; a placeholder (rare) by its earliest descendant.
    if node.entry is not None:
        return (_date(node), node.entry.number)
    return min(
        ((_date(n), n.entry.number) for n in node.walk() if n.entry is not None),
        default=(_NO_DATE, 1 << 62),
    )
