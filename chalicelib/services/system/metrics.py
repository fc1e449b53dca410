"""``/tools/metrics-prometheus``: Orthanc's usage metrics in Prometheus' text format.

Each metric is computed when asked, from what every function already shares: the archive's
totals (the index's counter shards, one BatchGetItem) and the jobs Orthanc would list (a Query
of the jobs index and a BatchGetItem). Nothing is counted on the request path, so the numbers
are the deployment's, not one Lambda container's. Orthanc's per-process metrics (active REST
requests, request durations) have no meaning across containers and are left out; API
Gateway's CloudWatch metrics count requests for the whole fleet.
"""

from __future__ import annotations

import struct
import time
from collections import Counter
from collections.abc import Callable

from chalicelib.services.jobs.engine import JobService
from chalicelib.services.system.settings import SystemSettings
from chalicelib.storage.index import ResourceIndex

_MEGABYTE = 1024 * 1024
# Orthanc's registry counts a job in the state it shows under these names.
_JOB_METRICS = {
    "Pending": "orthanc_jobs_pending",
    "Retry": "orthanc_jobs_pending",
    "Running": "orthanc_jobs_running",
    "Paused": "orthanc_jobs_running",
    "Success": "orthanc_jobs_success",
    "Failure": "orthanc_jobs_failed",
}


class MetricsService:
    def __init__(
        self,
        index: ResourceIndex,
        jobs: JobService,
        settings: SystemSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._index = index
        self._jobs = jobs
        self._settings = settings
        self._clock = clock

    def prometheus(self) -> str:
        """The metrics, sorted by name as Orthanc prints them; empty when disabled."""
        if not self._settings.metrics_enabled():
            return ""
        counts = self._index.read_counts()
        disk_mb = _float32(counts.disk_size) / _MEGABYTE
        jobs = Counter(_JOB_METRICS[job["State"]] for job in self._jobs.list_jobs(expand=True))
        values: dict[str, float] = {
            "orthanc_count_instances": counts.instances,
            "orthanc_count_patients": counts.patients,
            "orthanc_count_series": counts.series,
            "orthanc_count_studies": counts.studies,
            "orthanc_disk_size_mb": disk_mb,
            "orthanc_uncompressed_size_mb": disk_mb,  # stored as received: the same
            **{name: jobs[name] for name in set(_JOB_METRICS.values())},
            "orthanc_jobs_completed": jobs["orthanc_jobs_success"] + jobs["orthanc_jobs_failed"],
        }
        stamp = int(self._clock() * 1000)
        return "".join(
            f"{name} {_number(value)} {stamp}\n" for name, value in sorted(values.items())
        )


def _float32(value: float) -> float:
    """Orthanc keeps every metric as a 32-bit float."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _number(value: float) -> str:
    """A metric's value as Orthanc prints a float: 9 significant digits, no trailing zeros."""
    return format(_float32(value), ".9g")
