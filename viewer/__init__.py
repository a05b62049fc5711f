"""Hunkwise: kernel-style patch review mail, with every comment inline on the line it quotes."""

__version__ = "0.1.0"
APP_ID = "org.hunkwise.Hunkwise"
