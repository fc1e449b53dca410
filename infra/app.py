"""CDK entry point: ``python infra/app.py`` (or ``cdk synth``) synthesizes offline.

For now the stack holds the storage defined by the shared schema; the API, the stream
handler, the SCP service and the rest arrive with the infrastructure issue.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.storage import Storage  # noqa: E402


class CirrusStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.storage = Storage(self, "Storage")


def main() -> None:
    app = cdk.App()
    CirrusStack(app, "Cirrus")
    app.synth()


if __name__ == "__main__":
    main()
