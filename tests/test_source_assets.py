"""The sources as Dagster sees them: one external asset per shard (and one for the registry), not a
partition per notice; the sensor observes only the groups whose files changed."""
from __future__ import annotations

import json

import dagster as dg
import pytest

from pipeline.orchestration import automation
from pipeline.orchestration.definitions import defs
from conftest import NOTICE, copy_sources

# First hex digit of sha256(doc_id), worked out by hand for these ids:
# alpha -> 8, beta -> f, copy-1 -> 1, copy-2 -> 0; the bundled notice (taizhou-anticorruption-2008-2012) -> d.


@pytest.fixture()
def sources(tmp_path, monkeypatch):
    directory = copy_sources(tmp_path / "sources")
    monkeypatch.setenv("PLANDATA_SOURCES", str(directory))
    return directory


def tick(cursor):
    sensor = defs.resolve_sensor_def("sources_changed")
    with dg.instance_for_test() as instance:
        return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))


def observed(result) -> list[str]:
    return [event.asset_key.to_user_string() for event in result.asset_events]


def test_each_shard_asset_depends_on_its_own_sources_and_the_registry_only():
    graph = defs.resolve_asset_graph()
    for digit in "0123456789abcdef":
        parents = {key.to_user_string() for key in graph.get(dg.AssetKey(f"shard_{digit}")).parent_keys}
        assert parents == {f"sources_{digit}", "registry_sources"}
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("unit_registry")).parent_keys} == {"registry_sources"}
    sources = [key for key in graph.get_all_asset_keys() if key.to_user_string().startswith("sources_")]
    assert len(sources) == 16 and not any(graph.get(key).is_partitioned for key in sources)


def test_a_notice_in_a_subfolder_is_grouped_by_its_path_id(sources):
    """batch/copy-1.txt is published as doc_id batch-copy-1, whose sha256 begins with 5."""
    (sources / "batch").mkdir()
    (sources / "batch" / "copy-1.txt").write_bytes(NOTICE.read_bytes())
    first = tick(None)
    cursor = json.loads(first.cursor)
    assert cursor["shards"] == {NOTICE.name: "d", "batch/copy-1.txt": "5"}
    text = (sources / "batch" / "copy-1.txt").read_text(encoding="utf-8")
    (sources / "batch" / "copy-1.txt").write_text(text + "\n", encoding="utf-8")
    assert observed(tick(first.cursor)) == ["sources_5"]


def test_a_sidecar_id_moves_its_notice_and_both_shards_are_observed(sources):
    (sources / "copy-2.txt").write_bytes(NOTICE.read_bytes())
    first = tick(None)
    assert json.loads(first.cursor)["shards"]["copy-2.txt"] == "0"
    (sources / "copy-2.meta.json").write_text(json.dumps({"id": "alpha"}), encoding="utf-8")
    moved = tick(first.cursor)
    assert observed(moved) == ["sources_0", "sources_8"]
    assert json.loads(moved.cursor)["shards"]["copy-2.txt"] == "8"
    # A change to the sidecar alone (its licence) is a change to its shard's sources.
    (sources / "copy-2.meta.json").write_text(json.dumps({"id": "alpha", "license": "CC-BY-4.0"}), encoding="utf-8")
    assert observed(tick(moved.cursor)) == ["sources_8"]


def test_a_broken_sidecar_still_requests_the_build_that_reports_it(sources):
    (sources / "copy-2.txt").write_bytes(NOTICE.read_bytes())
    (sources / "copy-2.meta.json").write_text("{not json", encoding="utf-8")
    result = tick(None)
    assert len(result.run_requests) == 1
    assert json.loads(result.cursor)["shards"]["copy-2.txt"] == "0"  # by its file name


def test_sidecars_are_read_only_for_new_notices_or_changed_sidecars(sources, monkeypatch):
    (sources / "copy-2.txt").write_bytes(NOTICE.read_bytes())
    (sources / "copy-2.meta.json").write_text(json.dumps({"id": "beta"}), encoding="utf-8")
    first = tick(None)
    assert json.loads(first.cursor)["shards"]["copy-2.txt"] == "f"
    parsed = []
    parse = automation.parse_sidecar
    monkeypatch.setattr(automation, "parse_sidecar", lambda data, shown: parsed.append(shown) or parse(data, shown))
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert observed(tick(first.cursor)) == ["sources_d"] and parsed == []


def test_observing_from_the_ui_gives_the_versions_the_sensor_reports(sources):
    (sources / "copy-2.txt").write_bytes(NOTICE.read_bytes())
    (sources / "copy-2.meta.json").write_text(json.dumps({"id": "alpha"}), encoding="utf-8")
    sensor = {event.asset_key.to_user_string(): event.tags["dagster/data_version"] for event in tick(None).asset_events}
    observed_all = {result.asset_key.to_user_string(): result.data_version.value
                    for result in automation.observe_sources(sources)}
    assert observed_all == sensor and len(set(observed_all.values())) == 4  # shards d and 8, registry, empty
