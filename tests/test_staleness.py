"""Dagster's staleness view tells the truth: a changed notice makes only its shard's asset stale (and,
once that shard is rebuilt, only the assets that read it), and a new code version makes its asset stale.

Dagster 1.13 judges staleness one edge at a time: an asset is stale when a direct dependency's data
version differs from the one it was built from, or its code version changed; a stale asset does not
make its descendants stale until it is rebuilt. The test follows that rule step by step."""
from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.definitions.data_version import (CachingStaleStatusResolver, StaleCause, StaleCauseCategory,
                                                     StaleStatus)
from dagster._core.definitions.events import AssetKeyPartitionKey
from dagster._core.loader import LoadingContextForTest

from pipeline.orchestration import automation
from pipeline.orchestration.assets import SPECS, PlanBuild
from pipeline.orchestration.definitions import ALL_ASSETS, ALL_CHECKS, defs
from conftest import NOTICE, copy_sources

NOTICE_SHARD = "d"  # sha256("taizhou-anticorruption-2008-2012") starts with d


def stale_assets(instance, graph) -> dict[str, list]:
    """{asset: its stale causes} for every stale asset of the graph."""
    resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
    return {key.to_user_string(): resolver.get_stale_causes(key) for key in sorted(graph.materializable_asset_keys)
            if resolver.get_status(key) == StaleStatus.STALE}


@pytest.fixture()
def built(tmp_path, monkeypatch):
    """(instance, sources, sensor cursor, resource): the sources observed by the real sensor, then built."""
    sources = copy_sources(tmp_path / "sources")
    monkeypatch.setenv("PLANDATA_SOURCES", str(sources))
    resource = PlanBuild(sources_dir=str(sources), outputs_dir=str(tmp_path / "outputs"))
    with dg.instance_for_test() as instance:
        first = observe(instance, None)
        result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], instance=instance,
                                resources={"plan_build": resource})
        assert result.success
        yield instance, sources, first.cursor, resource


def observe(instance, cursor):
    """One tick of the real sensor, its observations recorded as the daemon records them."""
    sensor = defs.resolve_sensor_def("sources_changed")
    result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))
    for event in result.asset_events:
        instance.report_runless_asset_event(event)
    return result


def graph_with_new_code_version(name: str):
    """The definitions' asset graph with one asset's code version changed, as an edit of its code would."""
    old = next(definition for definition in ALL_ASSETS if definition.keys == {dg.AssetKey(name)})

    @dg.asset(name=name, deps=list(old.asset_deps[old.key]), code_version=f"{old.code_versions_by_key[old.key]}-edited")
    def edited() -> None: ...

    others = [definition for definition in ALL_ASSETS if definition is not old]
    return dg.Definitions(assets=[*automation.SOURCE_ASSETS, *others, edited],
                          resources={"plan_build": PlanBuild()}).resolve_asset_graph()


def test_a_new_code_version_or_a_changed_notice_makes_only_what_it_touches_stale(built):
    instance, sources, cursor, resource = built
    graph = defs.resolve_asset_graph()
    assert all(graph.get(key).code_version for key in graph.materializable_asset_keys)
    assert stale_assets(instance, graph) == {}
    assert stale_assets(instance, graph_with_new_code_version("plan_database")) == {
        "plan_database": [StaleCause(AssetKeyPartitionKey(dg.AssetKey("plan_database")), StaleCauseCategory.CODE,
                                     "has a new code version")]}
    notice = sources / NOTICE.name
    notice.write_text(notice.read_text(encoding="utf-8").replace("2008年8月11日", "2008年9月1日"), encoding="utf-8")
    observe(instance, cursor)
    stale = stale_assets(instance, graph)
    assert list(stale) == [f"shard_{NOTICE_SHARD}"]
    [cause] = stale[f"shard_{NOTICE_SHARD}"]
    assert cause.category == StaleCauseCategory.DATA and cause.reason == "has a new dependency data version"
    assert cause.dependency.asset_key.to_user_string() == f"sources_{NOTICE_SHARD}"
    # Rebuilt, the shard has a new data version: now exactly the assets that read it are stale.
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], instance=instance,
                            resources={"plan_build": resource},
                            selection=[f"shard_{NOTICE_SHARD}"])
    assert result.success
    stale = stale_assets(instance, graph)
    assert set(stale) == {*SPECS, "release_files"}
    assert all(cause.dependency.asset_key.to_user_string() == f"shard_{NOTICE_SHARD}"
               for causes in stale.values() for cause in causes)
