"""A load model of one Cirrus deployment on AWS: what a mix of work costs and where it stops.

The figures are data, at the top of this file, each with where it comes from: the AWS
requests each operation makes (counted by the benchmarks), the DynamoDB write and read units
they consume (from the sizes of the items written, by DynamoDB's size rules), the CPU the
product code spends (measured here), the deployment's settings (infra/, .chalice/config.json)
and AWS's list prices (us-east-1; docs/cost.md says which were checked against a source).
Everything below the data is arithmetic: request rates per AWS service and per hot key, the
utilisation of each limit, the first limit reached, and the monthly bill.

    .venv/bin/python bench/load_model.py                       # the three sizes of docs/cost.md
    .venv/bin/python bench/load_model.py --rest 20 --cstore 50 --finds 5 --archives 30
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

SECONDS_PER_MONTH = 730 * 3600
GB = 1024**3

# -- what each operation uses, per operation ------------------------------------------------
# Billing units: apigw (API Gateway REST requests, each also inspected by WAF), lambda
# (invocations), gb_s (Lambda GB-seconds), wru/rru (DynamoDB on-demand request units), put/get
# (S3 tier-1 requests: PUT, POST, LIST, multipart; tier-2: GET, HEAD), out_gb (transfer to the
# internet), log_kb (CloudWatch Logs ingested), fargate_ms (CPU of the DICOM service).

API_MEMORY_GB = 1769 / 1024  # .chalice/config.json: api_handler (1 vCPU)
STREAM_MEMORY_GB = 128 / 1024  # IndexStream: Chalice's default, nothing overrides it
# Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB.
STREAM_CPU_SHARE = 128 / 1769

# Round trips from a Lambda in the region, not measured here (the emulator is no model of
# them): typical DynamoDB single-digit milliseconds, S3 tens of milliseconds for small objects.
ROUND_TRIP_MS = {"read": 5.0, "write": 8.0, "transact": 15.0, "s3_put": 30.0, "s3_get": 15.0}
# Log lines per request: Lambda's START/END/REPORT (~0.3 KB), the API's access log line
# (~0.35 KB, infra/api_auth.py ACCESS_LOG_FORMAT), WAF's full log record (~1.5 KB). Assumed.
LOG_KB_PER_API_REQUEST = 0.3 + 0.35 + 1.5
LOG_KB_PER_INVOCATION = 0.3


def api_request(cpu_ms: float, trips: dict[str, float]) -> dict[str, float]:
    """What one API request adds besides its AWS requests: the gateway, WAF, one invocation
    of the 1,769 MB function for its CPU plus its round trips, and its log lines."""
    duration_ms = cpu_ms + sum(ROUND_TRIP_MS[kind] * n for kind, n in trips.items())
    return {
        "apigw": 1,
        "lambda": 1,
        "gb_s": API_MEMORY_GB * duration_ms / 1000,
        "log_kb": LOG_KB_PER_API_REQUEST,
    }


def _plus(*parts: dict[str, float]) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for unit, amount in part.items():
            total[unit] = total.get(unit, 0.0) + amount
    return total


# Storing one new instance (bench/ingest.py, 2026-11-28: 3.00 requests per instance with one
# client, BatchGetItem + PutObject + TransactWriteItems; 3.15 with 4, lost races retried).
# Units measured for docs/cost.md ("Where the numbers come from"): 400 9 KB CT
# instances through IngestService.store on in-process moto, 2026-12-07: BatchGetItem of 4
# consistent keys = 4 RRU; the transaction puts the instance record (1,004 bytes: 1 KB),
# its link (223 bytes) and 0.07 new ancestors with theirs, and updates a counter shard, each
# at 2 WRU per KB; ByLevel and ByUid get one keys-only entry each (1.07 per instance,
# 1 WRU each). Product CPU outside AWS calls (the product-only figure of bench/ingest.py
# --profile against the emulator's server: botocore, Cirrus, pydicom): 3.0 ms per 9 KB
# instance (2.5-3.2 in three runs, 2026-12-08) and 4.4 at 525 KB; 5.4 and 8.1 when first
# measured (2026-12-07), before the keys-only read and botocore's parameter validation off.
STORE_UNITS = {"rru": 4.0, "wru": 4.25 + 2.0 + 2.21, "put": 1.0}
STORE_TRIPS = {"read": 1, "s3_put": 1, "transact": 1}
STORE_CPU_MS = 3.0

# The change feed (app.index_stream) per instance, same measurement: its log entries (the
# entry, its "entries of a resource" item and its event item, 2 WRU each, with
# ConditionChecks on the index records it names, 2.13 WRU: counted as writes) and a
# consistent BatchGetItem key of its event item. Per batch of records: the BatchGetItem, an
# UpdateItem on the sequence counter and one per ancestor touched (3 for one series). No
# S3 request: until fbcd8c4 (issue 22) a DeleteObjects per batch dropped the DICOMweb metadata
# documents of the arrivals' series, whether one existed or not; since, the touch's
# UpdateItem returns the record as it was (no extra request or unit) and only a series
# stable until then, the only kind with a document, has it dropped: for a modality sending
# a study, none (a series declared stable that receives more, or a batch retried after its
# touches, pays one DeleteObjects: not modelled). CPU 1.1 ms per instance at one vCPU
# (bench/stack_profile.py, the feed's thread: 0.8-1.2 ms in three runs, 2026-12-08; 1.46
# on 2026-12-07): 15 ms at the function's 128 MB.
FEED_PER_INSTANCE = {"wru": 6.26 + 2.13, "rru": 1.0}
FEED_PER_BATCH = {"wru": 4.0, "lambda": 1.0, "log_kb": LOG_KB_PER_INVOCATION}
FEED_CPU_MS = 1.1
FEED_INSTANCE_MS = FEED_CPU_MS / STREAM_CPU_SHARE
FEED_BATCH_MS = ROUND_TRIP_MS["read"] + 4 * ROUND_TRIP_MS["write"]
# Since 309c61b the arrivals of one batch share their TransactWriteItems, as many as fit in
# its 100 actions with no item twice (chalicelib/storage/logs.py, MAX_TRANSACTION), instead
# of one each: the WRU above are the same (2 per KB and member whatever the transaction),
# only the round trips fall. Actions (SequencedLog._actions): an arrival 4 (its event item,
# a ConditionCheck on its instance record, the NewInstance entry and its "entries of a
# resource" item); each ancestor it created 3 (a ConditionCheck on its Born, the entry, its
# item); a CompletedSeries 3. bench/dicomgen.py's files (20 instances per series, 5 series
# per study, 2 studies per patient) create 1/20 + 1/100 + 1/200 ancestors per instance and
# state no expected count of instances, so log no CompletedSeries (1/20 for files that do):
# 4.195 actions per instance, as counted on 400 of them through the feed (2026-12-07).
MAX_TRANSACTION_ACTIONS = 100
NEW_ANCESTORS_PER_INSTANCE = 1 / 20 + 1 / (20 * 5) + 1 / (20 * 5 * 2)
COMPLETED_SERIES_PER_INSTANCE = 0.0
FEED_ACTIONS_PER_INSTANCE = 4 + 3 * NEW_ANCESTORS_PER_INSTANCE + 3 * COMPLETED_SERIES_PER_INSTANCE
# Lambda polls each shard of the stream about 4 times a second and hands over up to 100
# records (app.py: batch_size=100); a new on-demand table has about 4 partitions, hence
# stream shards (AWS documentation, not measured). Every write to the index table is a
# record, so 100 records hold ~31 arrivals: each instance's record, its link, a counter
# shard, the ancestors it creates and the feed's own touches made 3.24 records per instance
# in full batches (same count).
POLLS_PER_SECOND = 4
STREAM_SHARDS = 4
ARRIVALS_PER_FULL_BATCH = 100 / 3.24

# Stability, per instance (docs/architecture.md, "DICOMweb": StableSeries reads every file
# of the series once and writes one metadata document; Stable* entries per series, study,
# patient, one TransactWriteItems each: 20 instances per series, 5 series per study). A
# 128 MB function reading a file and writing its DICOM JSON: 15 ms trip + ~28 ms CPU.
STABILITY_UNITS = {
    "get": 1.0,
    "put": 0.05,
    "wru": 0.065 * 7,
    "gb_s": STREAM_MEMORY_GB * 0.045,
}

# DICOM service CPU per C-STORE, all of it (pynetdicom's reception and answer, the ingest,
# botocore): the service's process in bench/cstore.py ("of which SCP"), 8.0-8.2 ms per
# instance over 4 associations and 6.7-6.8 over one (2026-12-08; bench/scp_idle.py 7.1).
# It was ~30 ms (2026-11-28) before the polling and ingest changes of issue 22.
CSTORE_CPU_MS = 8.0
# An open idle association: 0.55% of a core (bench/scp_idle.py, 2026-12-08), since
# scp_container/polling.py stretches pynetdicom's 1 ms polling once it is silent; ~9% before.
VCPU_PER_ASSOCIATION = 0.0055

OPERATIONS: dict[str, dict[str, float]] = {
    "rest_ingest": _plus(STORE_UNITS, api_request(STORE_CPU_MS, STORE_TRIPS), STABILITY_UNITS),
    "cstore_ingest": _plus(
        STORE_UNITS, STABILITY_UNITS, {"fargate_ms": CSTORE_CPU_MS, "log_kb": 0.2}
    ),
    # bench/find.py at 10,000 instances (2026-11-28), row 2: Query 1 (keys-only ByUid, 0.5
    # RRU) + BatchGetItem of 1 record; CPU assumed 3 ms.
    "find_identifier": _plus({"rru": 1.5}, api_request(3.0, {"read": 2})),
    # Row 6 (StudyDate, one month): 16 Queries on the ByStudyDate shards, one after the other
    # (0.5 RRU each at least) + BatchGetItem of the 5 matching records.
    "find_date_range": _plus({"rru": 16 * 0.5 + 5}, api_request(3.0, {"read": 17})),
    # bench/README.md "Console benchmark": a study list page (51 rows, RequestedTags):
    # Query 104 + BatchGetItem 1, 105 round trips; CPU assumed 20 ms.
    "find_study_page": _plus({"rru": 104 * 0.5 + 51}, api_request(20.0, {"read": 105})),
    # bench/images.py archive section (2026-11-28): 100 CT slices, 52.5 MB of DICOM, a
    # 26.4 MB ZIP: GetObject 100, Query 6, BatchGetItem 1, CreateMultipartUpload,
    # UploadPart 4, CompleteMultipartUpload, then the client's GET of the presigned URL;
    # 8.7 s of one core (zlib) in the 1,769 MB function; the ZIP leaves AWS once.
    "archive": {
        "apigw": 1,
        "lambda": 1,
        "gb_s": API_MEMORY_GB * 8.7,
        "get": 101,
        "put": 6,
        "rru": 6 * 0.5 + 100,
        "out_gb": 26.4 * 1e6 / GB,
        "log_kb": LOG_KB_PER_API_REQUEST,
    },
}

# -- prices, us-east-1, on-demand (docs/cost.md: which were checked, which are from memory) --
PRICE = {
    "apigw": 3.50e-6,  # REST API, first 333 M requests a month
    "waf": 0.60e-6,  # per request inspected
    "lambda": 0.20e-6,  # per invocation
    "gb_s": 0.0000166667,  # x86, first 6 B GB-s a month
    "wru": 0.625e-6,  # on-demand, since November 2024
    "rru": 0.125e-6,
    "put": 0.005e-3,  # S3 Standard PUT, COPY, POST, LIST
    "get": 0.0004e-3,  # S3 Standard GET, SELECT
    "out_gb": 0.09,  # data transfer out, first 10 TB a month
    "log_kb": 0.50 / 1024**2,  # CloudWatch Logs ingestion, $0.50 a GB
    "xray_trace": 5.0e-6,  # beyond 100,000 free a month
}
STORAGE_GB_MONTH = {
    "s3_standard": 0.023,  # first 50 TB
    "s3_archive_instant": 0.004,  # Intelligent-Tiering, objects unread for 90 days
    "s3_tiering_monitoring_per_object": 0.0025e-3,  # per object above 128 KB, a month
    "dynamodb": 0.25,
    "dynamodb_pitr": 0.20,
}
# DynamoDB bytes per stored instance (same measurement): index items 1,489 bytes with
# DynamoDB's 100 bytes of overhead each, ~2.2 keys-only index entries (~150 bytes each),
# changes log entries 684 bytes.
DYNAMODB_BYTES_PER_INSTANCE = 1489 + 2.2 * 150 + 684
# S3 charges a lifecycle transition into Intelligent-Tiering per object (TIERING_RULE of
# infra/storage.py moves every new file after 0 days).
TIERING_TRANSITION = 0.01e-3

# What runs with no traffic, a month (infra/, defaults of infra/settings.py).
FARGATE_VCPU_HOUR, FARGATE_GB_HOUR = 0.04048, 0.004445
IDLE = {
    "NAT gateway (1, cirrus:natGateways)": 0.045 * 730,
    "NAT gateway's public IPv4 address": 0.005 * 730,
    "Fargate DICOM task, 0.5 vCPU / 1 GB (cirrus:scpCpu, scpMemoryMiB)": (
        0.5 * FARGATE_VCPU_HOUR + 1 * FARGATE_GB_HOUR
    )
    * 730,
    "Network Load Balancer (DICOM)": 0.0225 * 730,
    "WAF web ACL + 1 rate rule": 5.0 + 1.0,
    "KMS key (+$1 per yearly rotation, at most 2)": 1.0,
    "Secrets Manager: users, configuration": 2 * 0.40,
    "CloudWatch alarms (17, infra/monitoring.py)": 17 * 0.10,
    "Container Insights (estimate)": 3.0,
    "stability_check each minute (43,800 runs, 16 Queries)": 43_800
    * (PRICE["lambda"] + STREAM_MEMORY_GB * 0.1 * PRICE["gb_s"] + 8 * PRICE["rru"]),
    "logs of an idle stack (estimate)": 0.5,
}

# -- limits -----------------------------------------------------------------------------------
PARTITION_WCU_PER_S = 1000  # per partition key value (and per partition)
TABLE_WRU_PER_S_NEW = 4000  # a new on-demand table before it has seen a higher peak
TABLE_WRU_PER_S_MAX = 40_000  # default per-table quota of on-demand throughput
STAT_SHARDS = 16  # chalicelib/storage/index.py
LEVEL_SHARDS = 16  # ByLevel: first hex digit of the ID
CHANGES_PER_INSTANCE = 1.07  # NewInstance, and 0.07 NewSeries/NewStudy/NewPatient

# WRU per instance landing on each hot key (transactional writes at 2 per KB).
HOT_KEYS = {
    # Every change entry of a block of 1,000 numbers shares one partition key
    # (changes#<seq div 1000>, chalicelib/storage/logs.py): all of them, not 1/N.
    "changes log block (logs table)": 2.0 * CHANGES_PER_INSTANCE,
    # The links of a series all live in its partition: one series filled in parallel.
    "links of one series (index table)": 2.0,
    # One of 16 counter shards, picked at random by each transaction.
    "counter shard #stats#NN": 2.0 / STAT_SHARDS,
    # ByLevel keys-only entries, Instance#<hex digit>.
    "ByLevel GSI shard": 1.0 / LEVEL_SHARDS,
}


@dataclass(frozen=True)
class Deployment:
    """The settings the limits depend on (defaults of infra/settings.py)."""

    api_rate_limit: float = 100  # cirrus:apiRateLimit
    api_concurrency: int = 100  # cirrus:apiConcurrency
    waf_rate_limit: int = 30000  # cirrus:wafRateLimit, per address per 5 minutes
    client_addresses: int = 1  # one site behind one public address
    scp_tasks: int = 1  # cirrus:scpTasks
    scp_vcpu: float = 0.5  # cirrus:scpCpu / 1024
    associations: int = 4  # open at once, all tasks together
    max_associations: int = 10  # DicomMaximumAssociations, per task
    stream_shards: int = STREAM_SHARDS
    parallelization: int = 1  # the event source mapping's ParallelizationFactor


@dataclass(frozen=True)
class Mix:
    """Work per second (archives per hour), and what is stored."""

    name: str
    rest: float = 0.0
    cstore: float = 0.0
    finds: dict[str, float] = field(default_factory=dict)  # operation -> per second
    archives_per_hour: float = 0.0
    stored_instances: float = 0.0
    bytes_per_instance: float = 525_000
    rarely_read: bool = False  # Intelligent-Tiering, files unread for 90 days

    def rates(self) -> dict[str, float]:
        return {
            "rest_ingest": self.rest,
            "cstore_ingest": self.cstore,
            **self.finds,
            "archive": self.archives_per_hour / 3600,
        }

    def only(self, operation: str, rate: float) -> Mix:
        """This mix doing one operation of :data:`OPERATIONS` at ``rate`` per second."""
        if operation == "rest_ingest":
            return replace(self, rest=rate)
        if operation == "cstore_ingest":
            return replace(self, cstore=rate)
        if operation == "archive":
            return replace(self, archives_per_hour=rate * 3600)
        return replace(self, finds={operation: rate})

    def scaled(self, factor: float) -> Mix:
        return replace(
            self,
            rest=self.rest * factor,
            cstore=self.cstore * factor,
            finds={k: v * factor for k, v in self.finds.items()},
            archives_per_hour=self.archives_per_hour * factor,
        )


def batch_size(instances_per_s: float, shards: int) -> float:
    """Arrivals per stream batch: what arrived on a shard between two polls, from 1 to as
    many as 100 records hold."""
    return min(ARRIVALS_PER_FULL_BATCH, max(1.0, instances_per_s / (shards * POLLS_PER_SECOND)))


def feed_transactions(arrivals: float) -> int:
    """The feed's TransactWriteItems for a batch of ``arrivals``: one for up to 23 of them.
    (The feed packs whole arrivals, so a transaction may close a few actions short of 100:
    rarely one more than this.)"""
    return math.ceil(arrivals * FEED_ACTIONS_PER_INSTANCE / MAX_TRANSACTION_ACTIONS)


def usage_per_second(mix: Mix, deployment: Deployment) -> dict[str, float]:
    """Billing units per second of the mix, the change feed included."""
    total: dict[str, float] = {}
    for operation, rate in mix.rates().items():
        for unit, amount in OPERATIONS[operation].items():
            total[unit] = total.get(unit, 0.0) + rate * amount
    ingest = mix.rest + mix.cstore
    if ingest:
        arrivals = batch_size(ingest, deployment.stream_shards)
        batches = ingest / arrivals
        batch_ms = FEED_BATCH_MS + feed_transactions(arrivals) * ROUND_TRIP_MS["transact"]
        feed_seconds = ingest * FEED_INSTANCE_MS / 1000 + batches * batch_ms / 1000
        feed = _plus(
            {unit: ingest * amount for unit, amount in FEED_PER_INSTANCE.items()},
            {unit: batches * amount for unit, amount in FEED_PER_BATCH.items()},
            {"gb_s": STREAM_MEMORY_GB * feed_seconds, "feed_s": feed_seconds},
        )
        total = _plus(total, feed)
    return total


def utilisation(mix: Mix, deployment: Deployment) -> dict[str, float]:
    """Each limit's share in use at the mix's rates (1.0: the limit is reached)."""
    use = usage_per_second(mix, deployment)
    ingest = mix.rest + mix.cstore
    api_per_s = use.get("apigw", 0.0)
    api_busy = sum(
        rate * OPERATIONS[op].get("gb_s", 0.0) / API_MEMORY_GB
        for op, rate in mix.rates().items()
        if OPERATIONS[op].get("apigw")
    )
    limits = {
        "WAF rate rule (per client address)": api_per_s
        / deployment.client_addresses
        / (deployment.waf_rate_limit / 300),
        "API Gateway stage throttling (cirrus:apiRateLimit)": api_per_s / deployment.api_rate_limit,
        "API function concurrency (cirrus:apiConcurrency)": api_busy / deployment.api_concurrency,
        "change feed: stream shards x parallelization": use.get("feed_s", 0.0)
        / (deployment.stream_shards * deployment.parallelization),
        "DICOM service CPU (Fargate tasks)": (
            mix.cstore * CSTORE_CPU_MS / 1000 + deployment.associations * VCPU_PER_ASSOCIATION
        )
        / (deployment.scp_tasks * deployment.scp_vcpu)
        if mix.cstore
        else 0.0,
        "DICOM associations (DicomMaximumAssociations x tasks)": deployment.associations
        / (deployment.max_associations * deployment.scp_tasks)
        if mix.cstore
        else 0.0,
        "index table, new on-demand table (4,000 WRU/s)": index_wru_per_instance()
        * ingest
        / TABLE_WRU_PER_S_NEW,
        "index table, on-demand quota (40,000 WRU/s)": index_wru_per_instance()
        * ingest
        / TABLE_WRU_PER_S_MAX,
        "logs table, new on-demand table (4,000 WRU/s)": FEED_PER_INSTANCE["wru"]
        * ingest
        / TABLE_WRU_PER_S_NEW,
    }
    for key, wru in HOT_KEYS.items():
        limits[f"hot key: {key}"] = ingest * wru / PARTITION_WCU_PER_S
    return limits


def index_wru_per_instance() -> float:
    """The index table's share: the ingest's writes and the feed's condition checks."""
    return STORE_UNITS["wru"] + 2.13


def headroom(mix: Mix, deployment: Deployment) -> dict[str, float]:
    """For each limit that grows with the rates, the factor by which the whole mix can grow
    before that limit is reached (bisection: the change feed's batches make it non-linear)."""
    now = utilisation(mix, deployment)
    factors: dict[str, float] = {}
    for name, share in now.items():
        if utilisation(mix.scaled(2.0), deployment)[name] <= share:
            continue  # a setting, not a rate: reported, not scaled
        low, high = 0.0, 1.0
        while utilisation(mix.scaled(high), deployment)[name] < 1.0:
            low, high = high, high * 2
        for _ in range(50):
            middle = (low + high) / 2
            if utilisation(mix.scaled(middle), deployment)[name] < 1.0:
                low = middle
            else:
                high = middle
        factors[name] = low
    return factors


def first_limit(mix: Mix, deployment: Deployment) -> tuple[str, float]:
    """The limit reached first when the mix grows, and the factor by which it can grow."""
    factors = headroom(mix, deployment)
    name = min(factors, key=factors.__getitem__)
    return name, factors[name]


def monthly_cost(mix: Mix, deployment: Deployment) -> dict[str, float]:
    """Dollars a month at the mix's rates, by line."""
    use = {k: v * SECONDS_PER_MONTH for k, v in usage_per_second(mix, deployment).items()}
    requests = use.get("apigw", 0.0)
    # X-Ray's default sampling: the first request each second, then 5%.
    traces = min(requests, SECONDS_PER_MONTH) + 0.05 * max(0.0, requests - SECONDS_PER_MONTH)
    lines = {
        "API Gateway": requests * PRICE["apigw"],
        "WAF requests": requests * PRICE["waf"],
        "Lambda requests": use.get("lambda", 0.0) * PRICE["lambda"],
        "Lambda GB-seconds": use.get("gb_s", 0.0) * PRICE["gb_s"],
        "DynamoDB writes": use.get("wru", 0.0) * PRICE["wru"],
        "DynamoDB reads": use.get("rru", 0.0) * PRICE["rru"],
        "S3 PUT/POST": use.get("put", 0.0) * PRICE["put"],
        "S3 GET": use.get("get", 0.0) * PRICE["get"],
        "data transfer out": use.get("out_gb", 0.0) * PRICE["out_gb"],
        "CloudWatch Logs": use.get("log_kb", 0.0) * PRICE["log_kb"],
        "X-Ray traces": max(0.0, traces - 100_000) * PRICE["xray_trace"],
    }
    if mix.rarely_read:
        ingested = (mix.rest + mix.cstore) * SECONDS_PER_MONTH
        lines["S3 lifecycle transitions"] = ingested * TIERING_TRANSITION
    lines.update(storage_cost(mix))
    lines["extra DICOM tasks"] = extra_tasks(mix, deployment) * IDLE[_FARGATE_LINE]
    lines["idle"] = sum(IDLE.values())
    return lines


_FARGATE_LINE = "Fargate DICOM task, 0.5 vCPU / 1 GB (cirrus:scpCpu, scpMemoryMiB)"


def extra_tasks(mix: Mix, deployment: Deployment) -> int:
    """DICOM tasks beyond the first that the mix's C-STORE load needs (at most 80% busy)."""
    if not mix.cstore:
        return 0
    vcpu = mix.cstore * CSTORE_CPU_MS / 1000 + deployment.associations * VCPU_PER_ASSOCIATION
    return max(0, math.ceil(vcpu / (0.8 * deployment.scp_vcpu)) - deployment.scp_tasks)


def storage_cost(mix: Mix) -> dict[str, float]:
    """S3 (Standard, or Intelligent-Tiering's archive instant tier) and DynamoDB with PITR."""
    gb = mix.stored_instances * mix.bytes_per_instance / GB
    if mix.rarely_read:
        s3 = (
            gb * STORAGE_GB_MONTH["s3_archive_instant"]
            + mix.stored_instances * (STORAGE_GB_MONTH["s3_tiering_monitoring_per_object"])
        )
    else:
        s3 = gb * STORAGE_GB_MONTH["s3_standard"]
    table_gb = mix.stored_instances * DYNAMODB_BYTES_PER_INSTANCE / GB
    dynamodb = table_gb * (STORAGE_GB_MONTH["dynamodb"] + STORAGE_GB_MONTH["dynamodb_pitr"])
    return {"S3 storage": s3, "DynamoDB storage + PITR": dynamodb}


def per_million(operation: str) -> dict[str, float]:
    """Dollars per million of one operation alone (the change feed and stability included
    for ingests), at a steady million a month: one stream record per batch, every API request
    traced by X-Ray (below its 1 request/s reservoir); idle and storage left out."""
    rate = 1e6 / SECONDS_PER_MONTH
    mix = Mix(operation).only(operation, rate)
    lines = monthly_cost(mix, Deployment(client_addresses=10**6))
    for fixed in ("S3 storage", "DynamoDB storage + PITR", "extra DICOM tasks", "idle"):
        lines.pop(fixed)
    lines["X-Ray traces"] = (
        mix.rates().get(operation, 0)
        * SECONDS_PER_MONTH
        * (PRICE["xray_trace"] * OPERATIONS[operation].get("apigw", 0))
    )
    return lines


# -- the three sizes of docs/cost.md ---------------------------------------------------------
YEAR = 365 * 86400


def site(name: str, studies_per_year: float, instances_per_study: float, **kw: object) -> Mix:
    """A site's average rates: 90% of files by C-STORE, 10% over REST; per study 10
    identifier searches, 5 date ranges, 5 study list pages, and the given archives."""
    archives = float(kw.pop("archives_per_study", 0.1))  # type: ignore[arg-type]
    instances = studies_per_year * instances_per_study / YEAR
    per_study = studies_per_year / YEAR
    return Mix(
        name,
        rest=0.1 * instances,
        cstore=0.9 * instances,
        finds={
            "find_identifier": 10 * per_study,
            "find_date_range": 5 * per_study,
            "find_study_page": 5 * per_study,
        },
        archives_per_hour=archives * per_study * 3600,
        **kw,  # type: ignore[arg-type]
    )


SIZES = [
    # 5 years of a clinic: 10,000 studies a year of 100 files of 0.5 MB.
    site("clinic", 10_000, 100, stored_instances=5 * 10_000 * 100),
    # 5 years of a hospital: 500,000 studies a year.
    site("hospital", 500_000, 100, stored_instances=5 * 500_000 * 100),
    # A research archive: 1 M studies of 200 files stored, 10,000 more a year, rarely read.
    site(
        "research archive",
        10_000,
        200,
        stored_instances=200e6,
        rarely_read=True,
        archives_per_study=0.05,
    ),
]


def report(mix: Mix, deployment: Deployment) -> list[str]:
    """The model's answer for one mix, as docs/cost.md shows it."""
    lines = [f"== {mix.name}: {mix.rest:g} REST + {mix.cstore:g} C-STORE instances/s, "]
    lines[0] += f"{sum(mix.finds.values()):g} finds/s, {mix.archives_per_hour:g} archives/h"
    use = usage_per_second(mix, deployment)
    lines.append("AWS requests per second:")
    for unit in ("apigw", "lambda", "wru", "rru", "put", "get"):
        if use.get(unit):
            lines.append(f"  {unit:<8} {use[unit]:12.3f}")
    lines.append("Limits (utilisation at these rates):")
    for name, share in sorted(utilisation(mix, deployment).items(), key=lambda kv: -kv[1]):
        if share:
            lines.append(f"  {share:9.2%}  {name}")
    name, factor = first_limit(mix, deployment)
    lines.append(f"First limit: {name}, at {factor:.3g} x these rates")
    lines.append("Monthly cost, $:")
    cost = monthly_cost(mix, deployment)
    for line, dollars in cost.items():
        if dollars >= 0.005:
            lines.append(f"  {dollars:10.2f}  {line}")
    lines.append(f"  {sum(cost.values()):10.2f}  total")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rest", type=float, default=0.0, help="instances/s over REST")
    parser.add_argument("--cstore", type=float, default=0.0, help="instances/s over C-STORE")
    parser.add_argument("--finds", type=float, default=0.0, help="identifier finds/s")
    parser.add_argument("--archives", type=float, default=0.0, help="study archives/hour")
    parser.add_argument("--max", action="store_true", help="scale the mix to its first limit")
    # Every setting of the deployment, e.g. --api-rate-limit 1000 --parallelization 10.
    for name, value in vars(Deployment()).items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args(argv)
    deployment = Deployment(**{k: getattr(args, k) for k in vars(Deployment())})
    mixes = SIZES
    if args.rest or args.cstore or args.finds or args.archives:
        finds = {"find_identifier": args.finds} if args.finds else {}
        mixes = [Mix("mix", args.rest, args.cstore, finds, args.archives)]
    for mix in mixes:
        if args.max:
            mix = replace(mix.scaled(first_limit(mix, deployment)[1]), name=f"{mix.name}, max")
        print("\n".join(report(mix, deployment)), end="\n\n")
    print("Per million operations, $ (idle and storage excluded):")
    for operation in OPERATIONS:
        lines = per_million(operation)
        top = ", ".join(f"{k} {v:.2f}" for k, v in lines.items() if v >= 0.01)
        print(f"  {operation:<16} {sum(lines.values()):8.2f}  ({top})")
    print("Idle, $ a month:")
    for line, dollars in IDLE.items():
        print(f"  {dollars:8.2f}  {line}")
    print(f"  {sum(IDLE.values()):8.2f}  total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
