"""The arithmetic of bench/load_model.py, checked against figures computed by hand from its
data (so a change of a measured figure moves these expectations with it, but a mistake in
how rates, units, limits and prices combine does not pass)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load_model as model  # noqa: E402

DEFAULTS = model.Deployment()


def test_stream_batches_hold_what_arrives_between_polls_from_1_to_100() -> None:
    assert model.batch_size(1.0, 4) == 1.0  # 1/s over 4 shards polled 4 times a second
    assert model.batch_size(160.0, 4) == 10.0  # 160 / (4 shards x 4 polls)
    # Lambda's batch_size caps it at 100 records, 3.24 of them per instance
    assert model.batch_size(10_000.0, 4) == pytest.approx(100 / 3.24)


def test_a_batch_shares_its_transactions_100_actions_each() -> None:
    # 4 actions per arrival and 3 per ancestor created: 0.065 of them per instance
    assert pytest.approx(4 + 3 * 0.065) == model.FEED_ACTIONS_PER_INSTANCE
    assert model.feed_transactions(1.0) == 1
    assert model.feed_transactions(23.0) == 1  # 96.5 actions
    assert model.feed_transactions(24.0) == 2  # 100.7 actions
    assert model.feed_transactions(model.batch_size(10_000.0, 4)) == 2


def test_the_feed_pays_a_transaction_per_batch_not_per_instance() -> None:
    use = model.usage_per_second(model.Mix("rest", rest=160.0), DEFAULTS)
    # 10 arrivals a batch, 16 batches a second: each the BatchGetItem, 4 UpdateItems and
    # 1 transaction (no S3 request since fbcd8c4); 1.1 ms of CPU per instance at 128/1,769
    # of a vCPU
    cpu_s = 160 * 1.1 / (128 / 1769) / 1000
    assert use["feed_s"] == pytest.approx(cpu_s + 16 * (5 + 4 * 8 + 15) / 1000)
    assert use["put"] == pytest.approx(160 * 1.05)  # PutObject and 1/20 metadata document


def test_one_c_store_per_second_writes_the_ingest_feed_and_stability_units() -> None:
    use = model.usage_per_second(model.Mix("one", cstore=1.0), DEFAULTS)
    # ingest 4.25 + 2 + 2.21, stability 0.065 x 7, feed 6.26 + 2.13 per instance and 4 per
    # batch of one record
    assert use["wru"] == pytest.approx(8.46 + 0.455 + 8.39 + 4.0)
    # the BatchGetItem of 4 keys, and the feed's key of the event item
    assert use["rru"] == pytest.approx(5.0)
    # PutObject and 1/20 metadata document: the feed drops none of a series receiving files
    assert use["put"] == pytest.approx(1.05)
    assert use.get("apigw", 0.0) == 0.0


# The rate rule before its default was raised (2,000 requests per 5 minutes per address).
STRICT_WAF = model.Deployment(waf_rate_limit=2000)


def test_the_waf_rule_counts_requests_per_5_minutes_per_address() -> None:
    limits = model.utilisation(model.Mix("rest", rest=1.0), STRICT_WAF)
    assert limits["WAF rate rule (per client address)"] == pytest.approx(300 / 2000)
    spread = model.Deployment(waf_rate_limit=2000, client_addresses=3)
    spread_limits = model.utilisation(model.Mix("rest", rest=1.0), spread)
    assert spread_limits["WAF rate rule (per client address)"] == pytest.approx(300 / 2000 / 3)
    default = model.utilisation(model.Mix("rest", rest=1.0), DEFAULTS)
    assert default["WAF rate rule (per client address)"] == pytest.approx(300 / 30000)


def test_rest_ingest_from_one_address_stopped_at_a_strict_waf_rule() -> None:
    name, factor = model.first_limit(model.Mix("rest", rest=1.0), STRICT_WAF)
    assert name == "WAF rate rule (per client address)"
    assert factor == pytest.approx(2000 / 300, rel=1e-6)
    # With the default, the rule and the stage's throttling allow 100 requests a second.
    assert model.first_limit(model.Mix("rest", rest=1.0), DEFAULTS)[1] == pytest.approx(100.0)


def test_with_the_api_limits_lifted_the_change_feed_stops_rest_ingest() -> None:
    lifted = model.Deployment(client_addresses=1000, api_rate_limit=10_000)
    name, factor = model.first_limit(model.Mix("rest", rest=1.0), lifted)
    assert name.startswith("change feed")
    # 4 shards busy: 16 batches a second of 52 ms (1 transaction each below 23 x 16
    # instances a second), and 15.2 ms of CPU per instance
    assert factor == pytest.approx((4 - 16 * 0.052) / (1.1 / (128 / 1769) / 1000), rel=1e-6)


def test_the_changes_block_takes_every_entry_at_2_wru() -> None:
    limits = model.utilisation(model.Mix("rest", rest=100.0), DEFAULTS)
    assert limits["hot key: changes log block (logs table)"] == pytest.approx(100 * 2.14 / 1000)
    assert limits["hot key: counter shard #stats#NN"] == pytest.approx(100 * 2 / 16 / 1000)


def test_dicom_service_cpu_counts_polling_of_open_associations() -> None:
    limits = model.utilisation(model.Mix("dicom", cstore=10.0), DEFAULTS)
    # 10 x 8 ms of work + 4 associations x 0.0055 vCPU, on one 0.5 vCPU task
    assert limits["DICOM service CPU (Fargate tasks)"] == pytest.approx((0.08 + 0.022) / 0.5)
    # one task of 0.5 vCPU at most 80% busy carries 0.102 vCPU; 60 a second need 0.502
    assert model.extra_tasks(model.Mix("dicom", cstore=10.0), DEFAULTS) == 0
    assert model.extra_tasks(model.Mix("dicom", cstore=60.0), DEFAULTS) == 1


def test_a_limit_that_is_a_setting_is_not_scaled() -> None:
    factors = model.headroom(model.Mix("dicom", cstore=1.0), DEFAULTS)
    assert "DICOM associations (DicomMaximumAssociations x tasks)" not in factors
    # (0.5 - 0.022) vCPU left for 8 ms per instance: 59.75 instances/s
    assert factors["DICOM service CPU (Fargate tasks)"] == pytest.approx(0.478 / 0.008, rel=1e-6)


def test_monthly_lines_are_rates_times_730_hours_times_prices() -> None:
    cost = model.monthly_cost(model.Mix("rest", rest=1.0), DEFAULTS)
    assert cost["API Gateway"] == pytest.approx(2_628_000 * 3.50e-6)
    assert cost["WAF requests"] == pytest.approx(2_628_000 * 0.60e-6)
    assert cost["idle"] == pytest.approx(sum(model.IDLE.values()))


def test_storage_standard_and_rarely_read() -> None:
    gb = 1e6 * 525_000 / 1024**3
    standard = model.storage_cost(model.Mix("s", stored_instances=1e6))
    assert standard["S3 storage"] == pytest.approx(gb * 0.023)
    cold = model.storage_cost(model.Mix("c", stored_instances=1e6, rarely_read=True))
    # the archive instant tier, plus monitoring of every object above 128 KB
    assert cold["S3 storage"] == pytest.approx(gb * 0.004 + 1e6 * 0.0025e-3)
    assert cold["DynamoDB storage + PITR"] == pytest.approx(1e6 * 2503 / 1024**3 * 0.45)


def test_a_million_identifier_finds_cost_the_gateway_function_and_reads() -> None:
    lines = model.per_million("find_identifier")
    assert lines["API Gateway"] == pytest.approx(3.50)
    assert lines["DynamoDB reads"] == pytest.approx(1.5 * 0.125)
    # 3 ms of CPU and 2 reads of 5 ms in the 1,769 MB function
    assert lines["Lambda GB-seconds"] == pytest.approx(1e6 * 1769 / 1024 * 0.013 * 0.0000166667)
