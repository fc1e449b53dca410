"""The moto release whose internals the emulator's patches were read against (local tooling).

The ``local_stack.moto_*`` modules that replace moto's functions rely on how moto 5.2 does
things (each module's docstring says what), so each refuses to install on another minor
version rather than risk answers that silently differ.
"""

from __future__ import annotations

import moto

SUPPORTED_MOTO = "5.2"


def require_supported_moto(patch: str, internals: str) -> None:
    """Raise unless the installed moto is ``SUPPORTED_MOTO``; ``patch`` names the module,
    ``internals`` what of moto it replaces."""
    version = ".".join(moto.__version__.split(".")[:2])
    if version != SUPPORTED_MOTO:
        raise RuntimeError(
            f"{patch} patches moto {SUPPORTED_MOTO} internals ({internals}) but moto "
            f"{moto.__version__} is installed: check them against the assumptions in its "
            "docstring, then update local_stack.moto_version.SUPPORTED_MOTO."
        )
