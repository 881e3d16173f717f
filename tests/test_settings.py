"""The deployment settings file, sources/plandata.json: read or refused, its base URL's precedence, and
every field it holds reaching the release (a new contact or place is a new release)."""
from __future__ import annotations

import json
import os

import pytest

from conftest import SOURCES, copy_sources
from pipeline.errors import PlanDataError
from pipeline.orchestration.automation import REGISTRY_SOURCES, group_versions, notice_shards, source_versions
from pipeline.site.base_url import DEFAULT_BASE_URL, ENVIRONMENT_VARIABLE, resolve_base_url
from pipeline.sources.settings import DEFAULTS, SETTINGS_FILE, read_settings


def test_a_folder_without_the_file_gets_the_neutral_defaults_naming_no_notice(tmp_path):
    settings = read_settings(tmp_path)
    assert not settings.found and settings.path == tmp_path / SETTINGS_FILE
    text = json.dumps(settings.values, ensure_ascii=False)
    assert "台州" not in text and "Taizhou" not in text and settings["place"] is None


def test_the_bundled_sources_keep_the_taizhou_identity():
    settings = read_settings(SOURCES)
    assert settings.found
    assert settings["title_zh"].startswith("台州市建立健全惩治和预防腐败体系")
    assert settings["place"] == "台州市，浙江省，中国 / Taizhou, Zhejiang, China"


@pytest.mark.parametrize("content, words", [
    (b'{"title": "x",\n "publisher": }', "is not valid JSON"),
    (b'["publisher"]', "must hold one JSON object"),
    (b'{"publsher": "x"}', "unknown setting 'publsher'"),
    (b'{"title": ""}', "setting 'title' must be a non-empty string"),
    (b'{"contact": {"phone": "1"}}', "setting 'contact' must be an object"),
    (b'{"keywords": "a, b"}', "setting 'keywords' must be a list"),
    (b'\xff\xfe{}', "is not UTF-8"),
])
def test_a_bad_settings_file_is_one_line_naming_it(tmp_path, content, words):
    (tmp_path / SETTINGS_FILE).write_bytes(content)
    with pytest.raises(PlanDataError) as caught:
        read_settings(tmp_path)
    message = str(caught.value)
    assert words in message and SETTINGS_FILE in message and "\n" not in message
    if content.startswith(b'{"title": "x"'):
        assert caught.value.line == 2


def test_a_settings_file_that_is_no_regular_file_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / SETTINGS_FILE)  # an open would block the build
    with pytest.raises(PlanDataError, match="is a FIFO"):
        read_settings(tmp_path)


def test_a_settings_file_linked_from_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}", encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / SETTINGS_FILE).symlink_to(outside)
    with pytest.raises(PlanDataError, match="outside the sources directory"):
        read_settings(sources)


def test_base_url_precedence_option_then_environment_then_file_then_default(monkeypatch):
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert resolve_base_url(None, None) == DEFAULT_BASE_URL
    assert resolve_base_url(None, "https://file.example/d") == "https://file.example/d/"
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "https://env.example/")
    assert resolve_base_url(None, "https://file.example/d") == "https://env.example/"
    assert resolve_base_url("https://option.example/", "https://file.example/d") == "https://option.example/"


def test_a_bad_base_url_in_the_file_names_the_file(monkeypatch, tmp_path):
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    with pytest.raises(PlanDataError, match=f"base_url in {tmp_path}"):
        resolve_base_url(None, "ftp://x", str(tmp_path))


def test_the_sensor_watches_the_settings_file(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    versions, _ = source_versions(sources)
    before = group_versions(versions, notice_shards(sources, versions))
    (sources / SETTINGS_FILE).write_text('{"place": "丽水市"}', encoding="utf-8")
    versions, _ = source_versions(sources)
    assert SETTINGS_FILE in versions
    after = group_versions(versions, notice_shards(sources, versions))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {REGISTRY_SOURCES}  # release_files depends on it: the identity is rebuilt, no shard


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """A build with a settings file, the same again, then with the contact changed, then the place."""
    from pipeline.orchestration.run import run_build

    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    outputs = tmp_path_factory.mktemp("outputs")
    settings = {"publisher": "Lishui open data office", "contact": {"email": "data@lishui.example"},
                "place": "丽水市 / Lishui"}
    outcomes = []
    for change in ({}, {}, {"contact": {"email": "open@lishui.example"}}, {"place": "缙云县 / Jinyun"}):
        settings.update(change)
        (sources / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
        outcomes.append(run_build(sources, outputs))
    return sources, outcomes


def test_a_changed_contact_or_place_is_a_new_release_and_the_same_file_is_not(rebuilt):
    _, (first, same, contact, place) = rebuilt
    assert first.new and not same.new and same.release_id == first.release_id
    assert contact.new and contact.release_id != first.release_id
    assert place.new and place.release_id != contact.release_id
    descriptor = json.loads((place.release_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["contact"] == {"email": "open@lishui.example"}
    assert descriptor["spatial"] == "缙云县 / Jinyun"
    assert descriptor["contributors"] == [{"title": "Lishui open data office", "roles": ["creator"]}]
    turtle = (place.release_dir / "dcat.ttl").read_text(encoding="utf-8")
    assert "mailto:open@lishui.example" in turtle and "缙云县 / Jinyun" in turtle


def test_build_keys_record_the_settings_file(rebuilt):
    from pipeline.publish.checksums import sha256_file

    sources, outcomes = rebuilt
    keys = json.loads((outcomes[-1].release_dir / "build-keys.json").read_text(encoding="utf-8"))
    assert keys["settings"] == sha256_file(sources / SETTINGS_FILE)


def test_the_cli_names_the_missing_file_and_warns_once_of_the_placeholder(tmp_path, capsys, monkeypatch):
    from pipeline.cli import main

    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    sources = copy_sources(tmp_path / "sources")
    assert main(["build", "--sources", str(sources), "--outputs", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count(f"No settings file {sources / SETTINGS_FILE}") == 1
    assert out.count("the base URL is still the placeholder") == 1
    (sources / SETTINGS_FILE).write_text('{"base_url": "https://data.example.gov.cn/plans/"}', encoding="utf-8")
    assert main(["build", "--sources", str(sources), "--outputs", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "No settings file" not in captured.out + captured.err and "placeholder" not in captured.out
    descriptor = json.loads((tmp_path / "out" / "latest" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["homepage"] == "https://data.example.gov.cn/plans/"
    assert DEFAULTS["title"] == descriptor["title"]
