"""The engine: pure Python, never imports Qt (tests/test_layout.py enforces it).

Everything the GUI shows is computed here and reachable from the `hunkwise` command line.
"""
