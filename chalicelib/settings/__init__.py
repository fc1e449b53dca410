"""The Orthanc-style configuration file, read the same way by every entry point."""

from chalicelib.settings.config import Config, ConfigError, load_config

__all__ = ["Config", "ConfigError", "load_config"]
