"""Cirrus's web console: a static app (``src/``) bundled by :mod:`console.site`."""
