"""Log levels: ``/tools/log-level`` and ``/tools/log-level-{category}``.

Orthanc holds two masks (verbose, trace) over its categories plus bits beyond them that only
the global level sets. Its global level reads as the most verbose bit set, so after
``PUT /tools/log-level-http trace`` the global level reads ``trace``, and after a global
``verbose`` it stays ``verbose`` even once every category is back to ``default``. The same
state is kept here as one verbosity per category plus one for the bits beyond them
(``LOG_LEVEL``), each a setting of its own so that a category change is one write.
"""

from __future__ import annotations

from chalicelib import observability
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.shared.runtime_settings import RuntimeSettings

# Orthanc 1.10.1's categories, each with its own route.
CATEGORIES = ("generic", "plugins", "http", "dicom", "sqlite", "jobs", "lua")
VERBOSITIES = ("default", "verbose", "trace")  # from the least to the most verbose
DEFAULT = "default"
LOG_LEVEL = "LogLevel"


def category_setting(category: str) -> str:
    return f"{LOG_LEVEL}-{category}"


SETTINGS = (LOG_LEVEL, *(category_setting(c) for c in CATEGORIES))


def parse_verbosity(text: str) -> str:
    if text not in VERBOSITIES:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            f'Verbosity can be "default", "verbose" or "trace": {text}',
        )
    return text


class LogLevels:
    def __init__(self, settings: RuntimeSettings) -> None:
        self._settings = settings
        # What this process's loggers are at: nothing is touched while all stay "default".
        self._applied = dict.fromkeys(CATEGORIES, DEFAULT)

    def get(self, category: str | None) -> str:
        """A category's verbosity, or (``None``) the global one: the most verbose of all."""
        if category is not None:
            return str(self._settings.get(category_setting(category)))
        return max((self._settings.get(name) for name in SETTINGS), key=VERBOSITIES.index)

    def put(self, category: str | None, text: str) -> None:
        """Set a category, or (``None``) every category and the bits beyond them."""
        verbosity = parse_verbosity(text)
        names = SETTINGS if category is None else (category_setting(category),)
        self._settings.put(dict.fromkeys(names, verbosity))
        self.apply()

    def apply(self) -> None:
        """Bring this process's loggers to the current levels (the settings' cache makes this
        cheap: at most one read of DynamoDB per ``MAX_AGE``). Called on every invocation and
        every association, so a change made elsewhere arrives within that bound."""
        levels = {c: str(self._settings.get(category_setting(c))) for c in CATEGORIES}
        changed = {c: v for c, v in levels.items() if self._applied.get(c) != v}
        if changed:
            observability.apply_verbosity(changed)
            self._applied.update(changed)
