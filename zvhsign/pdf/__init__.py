"""PDF layer: wraps pikepdf and pyHanko. Returns domain objects (evidence), never judges."""
