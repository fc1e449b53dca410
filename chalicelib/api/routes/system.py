"""Server-wide routes: /system and /statistics."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import CIRRUS_VERSION, bootstrap
from chalicelib.api.routing import RouteTable

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# The Orthanc release whose REST API Cirrus answers like, and that release's API version:
# clients (pyorthanc, Orthanc's own scripts) gate features on these two numbers, so they are
# raised only when the features of a newer release are in (see docs/compatibility.md).
ORTHANC_VERSION = "1.10.1"
API_VERSION = 16


def system(request: Request) -> Any:
    config = bootstrap.config()
    return {
        "ApiVersion": API_VERSION,
        "CheckRevisions": False,
        "DatabaseBackendPlugin": None,
        "DatabaseVersion": 6,
        "DicomAet": config.DicomAet,
        "DicomPort": config.DicomPort,
        "HasLabels": True,
        "HttpPort": config.HttpPort,
        "IsHttpServerSecure": request.headers.get("x-forwarded-proto", "") == "https",
        "MaximumPatientCount": 0,
        "MaximumStorageMode": "Recycle",
        "MaximumStorageSize": 0,
        "Name": config.Name,
        "OverwriteInstances": config.OverwriteInstances,
        "PluginsEnabled": False,
        "ReadOnly": False,
        "StorageAreaPlugin": None,
        "StorageCompression": False,
        "UserMetadata": {},
        "Version": ORTHANC_VERSION,
        "Cirrus": {"Version": CIRRUS_VERSION},
    }


def statistics(request: Request) -> Any:
    return bootstrap.statistics().global_statistics()


routes.add("/system", GET=system)
routes.add("/statistics", GET=statistics)
