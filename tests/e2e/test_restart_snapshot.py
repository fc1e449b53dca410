"""Restarts from a snapshot of the emulator's state plus the recording's tail
(``local_stack.snapshot``): the same archive, the same changes log, and the stream consumer
resuming exactly after the last record it delivered; a snapshot cut short by a kill is
harmless."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

from local_stack.snapshot import BODIES_NAME, STATE_NAME
from tests.e2e.stack import LocalStack
from tests.e2e.test_kill_during_upload import (
    check_changes,
    check_files,
    check_index,
    generate,
    read_changes,
    settled_changes,
    upload_over_rest,
)

SEGMENTS = "moto-recording.*.jsonl"


def _resources(url: str, instance_ids: list[str]) -> dict[str, Any]:
    """The statistics, and the JSON of a few instances and of all their ancestors."""
    answers = {"/statistics": _get(url, "/statistics")}
    for instance in instance_ids:
        path = f"/instances/{instance}"
        answers[path] = _get(url, path)
        for level, parent in (("series", "ParentSeries"), ("studies", "ParentStudy")):
            parent_path = f"/{level}/{answers[path][parent]}"
            answers[parent_path] = _get(url, parent_path)
            path = parent_path
    return answers


def _get(url: str, path: str) -> Any:
    answer = requests.get(f"{url}{path}", timeout=30)
    assert answer.status_code == 200, f"{path}: {answer.text}"
    return answer.json()


def _replayed(log: str) -> int:
    """How many recorded requests the last start of the stack replayed, from its log."""
    counts = re.findall(r"replayed (\d+) recorded requests", log)
    assert counts, log
    return int(counts[-1])


def test_state_after_a_snapshot_and_a_tail_is_the_state_before(tmp_path: Path) -> None:
    # The last one is of a study of its own: its upload changes none of the resources compared.
    instances = generate(11) + generate(1)
    ids = [instance.ids.instance for instance in instances]
    data_dir = tmp_path / "data"

    with LocalStack(data_dir) as first:
        upload_over_rest(first.url, instances, range(6))
        settled_changes(first.url, set(ids[:6]))
    # A clean stop leaves a snapshot that covers everything: no recording left.
    assert (data_dir / STATE_NAME).exists()
    assert list(data_dir.glob(SEGMENTS)) == []

    with LocalStack(data_dir) as second:
        upload_over_rest(second.url, instances, range(6, 11))
        delivered = settled_changes(second.url, set(ids[:11]))
        before = _resources(second.url, [ids[0], ids[7], ids[10]])
        # The stack is killed before the feed has (perhaps) logged the last one.
        upload_over_rest(second.url, instances, [11])
        second.kill()
    tail = [path for path in data_dir.glob(SEGMENTS) if path.stat().st_size]
    assert tail, "the kill left no recording after the snapshot"

    with LocalStack(data_dir) as third:
        assert _replayed(third.log) > 0
        after = _resources(third.url, [ids[0], ids[7], ids[10]])
        # The feed logs what it had not delivered before the kill, and nothing twice: once a
        # new instance is logged, the feed has gone past everything older.
        newest = generate(1)
        upload_over_rest(third.url, newest, [0])
        present = {*ids, newest[0].ids.instance}
        changes = settled_changes(third.url, present)
        check_index(third, present, [*instances, *newest])
        check_files(third.url, instances, dict.fromkeys(range(12), "rest"))

    statistics = "/statistics"
    assert before.pop(statistics)["CountInstances"] == 11
    after.pop(statistics)
    assert after == before
    assert changes[: len(delivered)] == delivered, "changes logged before the kill differ"
    check_changes(changes, present)


def test_a_snapshot_cut_short_by_a_kill_is_harmless(tmp_path: Path) -> None:
    """A kill during a snapshot leaves the previous snapshot, a temporary file, bodies
    written for nothing, and the recording in two segments (a snapshot starts a new one before
    writing): a restart ignores the leftovers and replays both segments."""
    instances = generate(4)
    ids = {instance.ids.instance for instance in instances}
    data_dir = tmp_path / "data"
    with LocalStack(data_dir) as first:
        upload_over_rest(first.url, instances, range(2))
    with LocalStack(data_dir) as second:
        upload_over_rest(second.url, instances, range(2, 4))
        settled_changes(second.url, ids)
        delivered = read_changes(second.url)
        second.kill()

    [segment] = [path for path in data_dir.glob(SEGMENTS) if path.stat().st_size]
    lines = segment.read_text().splitlines(keepends=True)
    number = int(segment.name.split(".")[1])
    segment.write_text("".join(lines[: len(lines) // 2]))
    next_segment = segment.with_name(f"moto-recording.{number + 1:06d}.jsonl")
    next_segment.write_text("".join(lines[len(lines) // 2 :]))
    state = data_dir / STATE_NAME
    half_written = state.with_name(state.name + ".tmp")
    half_written.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    orphan_body = data_dir / BODIES_NAME / ("0" * 64 + ".tmp")
    orphan_body.write_bytes(b"cut short")

    with LocalStack(data_dir) as third:
        assert _replayed(third.log) == len(lines)
        assert not half_written.exists()
        check_index(third, ids, instances)
        check_files(third.url, instances, dict.fromkeys(range(4), "rest"))
        assert read_changes(third.url) == delivered
    # The snapshot of the clean stop covers both segments and drops the orphan body.
    assert list(data_dir.glob(SEGMENTS)) == []
    assert not orphan_body.exists()
    assert len(list((data_dir / BODIES_NAME).iterdir())) == len(instances)
