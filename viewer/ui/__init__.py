"""The desktop app: the only package that imports PySide6.

Widgets here show what :class:`viewer.core.archive.Archive` computes and keep no domain logic of
their own; anything a test could check without a display belongs in ``viewer.core``.
"""
