"""People for hand-made annotations, as a decoded From: header gives them."""

from __future__ import annotations

from viewer.core.message import Person


def person(text: str) -> Person:
    """"Name <addr>" (or a bare address) as a Person; the name may hold a comma."""
    if "<" not in text:
        return Person("", text.lower())
    name, _, address = text.rpartition("<")
    return Person(name.strip().strip('"'), address.rstrip(">").lower())
