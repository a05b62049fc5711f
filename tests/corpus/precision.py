"""The matching rules of ../shared/tools/score_precision.py, for when ../shared/tools is absent.

`hunkwise review --json` is scored against a labels file (tests/golden/labels, format in
../shared/tools/LABELS.md): cards that are mail furniture ("noise shown"), labelled real blocks
no card covers ("real missing"), and answers whose card hangs under the right parent
("discussions correct"). tests/corpus/test_precision_labels.py imports the shared script when it
is there, so the two cannot drift apart unnoticed; this port only keeps the test meaningful on a
machine that has the corpus but not the tools folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

REAL = ("line_comment", "answer", "general")
NOISE = ("noise", "trailer")


def fold(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def mid(value: str | None) -> str:
    return (value or "").strip().strip("<>").strip().lower()


def annotations(doc) -> Iterator[dict]:
    """Every object with "comment" and "anchor" keys, wherever it sits in the output."""
    if isinstance(doc, dict):
        if "comment" in doc and "anchor" in doc:
            yield doc
        for value in doc.values():
            yield from annotations(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from annotations(value)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class Scorer:
    def __init__(self, engine_doc, labels_doc) -> None:
        self.anns = list(annotations(engine_doc))
        self.blocks = labels_doc["blocks"] if isinstance(labels_doc, dict) else labels_doc
        self.by_reply: dict[str, list[dict]] = {}
        for block in self.blocks:
            self.by_reply.setdefault(mid(block["reply_message_id"]), []).append(block)
        for blocks in self.by_reply.values():
            blocks.sort(key=lambda b: b["index"])
        self.by_id = {}
        for ann in self.anns:
            if ann.get("id") is not None:
                self.by_id.setdefault(str(ann["id"]), ann)
        self.start: dict[int, dict] = {}
        self.started: dict[tuple[str, int], list[dict]] = {}
        self._map()

    @staticmethod
    def key(block: dict) -> tuple[str, int]:
        return (mid(block["reply_message_id"]), block["index"])

    def _map(self) -> None:
        taken = set()
        for ann in self.anns:
            blocks = self.by_reply.get(mid(ann.get("reply_message_id")))
            if not blocks:
                continue
            comment = fold(ann.get("comment"))
            candidates = []
            for block in blocks:
                firsts = [block["block_first_line"], *(block.get("alt_first_lines") or [])]
                if any(fold(f) and comment.startswith(fold(f)) for f in firsts):
                    agree = _common_prefix(comment, fold(block.get("text")
                                                         or block["block_first_line"]))
                    candidates.append((-agree, self.key(block) in taken, block["index"], block))
            if not candidates:
                continue
            candidates.sort(key=lambda t: t[:3])
            block = candidates[0][3]
            taken.add(self.key(block))
            self.start[id(ann)] = block
            self.started.setdefault(self.key(block), []).append(ann)

    def covering(self, block: dict) -> list[dict]:
        out = list(self.started.get(self.key(block), []))
        alts = [fold(x) for x in block.get("alt_first_lines") or [] if fold(x)]
        reply = mid(block["reply_message_id"])
        for ann in self.anns:
            if ann not in out and mid(ann.get("reply_message_id")) == reply and any(
                fold(ann.get("comment")).startswith(x) for x in alts
            ):
                out.append(ann)
        first = fold(block["block_first_line"])
        if len(first) < 20 and block.get("text"):
            first = fold(block["text"])[:40].strip()
        for ann in self.anns:
            if ann in out or mid(ann.get("reply_message_id")) != reply or not first:
                continue
            started = self.start.get(id(ann))
            if started is not None and started["index"] >= block["index"]:
                continue
            if " " + first in fold(ann.get("comment")):
                out.append(ann)
        return out

    def score(self) -> dict:
        res: dict = dict(noise_shown=[], missing=[],
                         discussion=dict(correct=[], wrong=[], missing_parent=[],
                                         parent_not_in_mailbox=[]))
        for ann in self.anns:
            block = self.start.get(id(ann))
            if block is not None and block["label"] in NOISE:
                res["noise_shown"].append(dict(reply_message_id=block["reply_message_id"],
                                               index=block["index"], label=block["label"],
                                               block_first_line=block["block_first_line"]))
        for block in self.blocks:
            if block["label"] in REAL and not self.covering(block):
                res["missing"].append(dict(reply_message_id=block["reply_message_id"],
                                           index=block["index"], label=block["label"],
                                           block_first_line=block["block_first_line"]))
            if block["label"] == "answer" and self.started.get(self.key(block)):
                ann = self.started[self.key(block)][0]
                res["discussion"][self.parent_verdict(ann, block)].append(
                    dict(reply_message_id=block["reply_message_id"], index=block["index"],
                         block_first_line=block["block_first_line"],
                         in_reply_to=ann.get("in_reply_to")))
        return res

    def parent_verdict(self, ann: dict, block: dict) -> str:
        if block.get("answers_mail_absent"):
            return "parent_not_in_mailbox"
        parent_id = ann.get("in_reply_to")
        if parent_id is None or parent_id == "":
            return "missing_parent"
        parent = self.by_id.get(str(parent_id))
        if parent is None or mid(parent.get("reply_message_id")) != mid(
            block.get("answers_reply_message_id")
        ):
            return "wrong"
        want = fold(block.get("answers_first_line"))
        if not want or want not in fold(parent.get("comment")):
            return "wrong"
        siblings = [x for x in self.by_reply.get(mid(block["answers_reply_message_id"]), [])
                    if fold(x["block_first_line"]) == want or want in fold(x.get("text") or "")]
        if len(siblings) > 1:
            target = [x for x in siblings if x["index"] == block.get("answers_block_index")]
            if target and parent not in self.covering(target[0]):
                return "wrong"
        return "correct"
