"""``python -m local_stack``: start the local stack and supervise it until Ctrl-C or SIGTERM."""

from __future__ import annotations

import sys
import time

from chalicelib.settings import ConfigError
from local_stack.settings import SettingsError, StackSettings
from local_stack.stack import banner, services
from local_stack.supervisor import StackError, StopRequested, Supervisor, check_port_free


def main() -> int:
    started = time.monotonic()
    try:
        settings = StackSettings.from_environment()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        planned = services(settings)
        for service in planned:
            check_port_free(service)
    except (ConfigError, SettingsError, StackError, OSError) as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 2
    with Supervisor() as supervisor:
        try:
            supervisor.start_all(planned)
            print(banner(settings), flush=True)
            print(f"Started in {time.monotonic() - started:.1f} s", flush=True)
            supervisor.watch()
        except StopRequested:
            print("Stopping the local stack", flush=True)
            return 0
        except StackError as exc:
            print(f"local stack: {exc}; stopping", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
