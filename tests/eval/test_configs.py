"""Presets and TOML configurations (eval/configs.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from eval.configs import PRESETS, TUNABLE, ConfigError, EvalConfig, is_config_name, resolve
from qa.retrieval import MODES
from qa.settings import Settings


def toml(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_preset_per_retrieval_mode() -> None:
    assert set(PRESETS) == set(MODES)
    assert all(c.mode == name and not c.settings for name, c in PRESETS.items())


def test_resolve_presets_in_order_comma_separated_or_not() -> None:
    assert [c.name for c in resolve(["bm25,dense", "hybrid"])] == ["bm25", "dense", "hybrid"]
    with pytest.raises(ConfigError, match="unknown preset 'fusion'"):
        resolve(["fusion"])
    with pytest.raises(ConfigError, match="used twice: bm25"):
        resolve(["bm25", "hybrid,bm25"])


def test_toml_config_sets_mode_and_settings(tmp_path: Path) -> None:
    path = toml(tmp_path, "heavy.toml", 'mode = "hybrid"\n[settings]\ndense_weight = 1\ncandidates = 80\n')
    [config] = resolve([path])
    assert config == EvalConfig("heavy", "hybrid", {"dense_weight": 1.0, "candidates": 80}, path)
    assert isinstance(config.settings["dense_weight"], float)
    settings = config.apply(Settings(index_dir=Path("x")))
    assert (settings.dense_weight, settings.candidates, settings.index_dir) == (1.0, 80, Path("x"))
    assert config.describe() == "mode=hybrid candidates=80 dense_weight=1.0"


def test_toml_name_and_paths(tmp_path: Path) -> None:
    path = toml(tmp_path, "a.toml", 'name = "other index"\nmode = "bm25"\n[settings]\nindex_dir = "var/x"\n')
    [config] = resolve([path])
    assert (config.name, config.mode, config.settings["index_dir"]) == ("other index", "bm25", Path("var/x"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mode = "sparse"', "mode 'sparse' is not one of"),
        ('weight = 1', "unknown key"),
        ('[settings]\nport = 9000', "port cannot be set"),
        ('[settings]\ncandidates = "many"', "candidates = 'many' should be a positive whole number"),
        ('[settings]\ncandidates = 0', "should be a positive whole number"),
        ('[settings]\ndense_weight = true', "should be a number"),
        ('settings = 3', r"\[settings\] must be a table"),
        ('name = ""', "'name' must be a non-empty string"),
        ('mode = ', "cannot read"),
    ],
)
def test_bad_toml_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = toml(tmp_path, "bad.toml", text)
    with pytest.raises(ConfigError, match=message) as info:
        resolve([path])
    assert "bad.toml" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        resolve([str(tmp_path / "none.toml")])


def test_is_config_name() -> None:
    assert is_config_name("bm25") and is_config_name("bm25,rrf") and is_config_name("x/y.toml")
    assert not is_config_name("dev.jsonl") and not is_config_name("bm25,dev.jsonl")


def test_every_tunable_setting_exists() -> None:
    assert set(TUNABLE) <= {f.name for f in dataclasses.fields(Settings)}
