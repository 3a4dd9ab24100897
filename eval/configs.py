"""What an evaluation runs: named presets (one per retrieval mode) and TOML configuration files."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.retrieval import MODES
from qa.settings import Settings

# Settings a configuration may change: those the assistant reads per question, plus the index and
# model (each distinct pair is opened once). Host, port, papers folder and k are not per-config.
TUNABLE = {"dense_weight": float, "candidates": int, "abstain_below": float, "index_dir": Path, "model": str,
           "answerer": str}
_KIND_NAMES = {float: "number", int: "positive whole number", str: "string", Path: "path string"}
DEFAULT_PRESETS = ("hybrid", "bm25", "dense")


class ConfigError(ValueError):
    """A configuration cannot be used; the message names the file or preset."""


@dataclass(frozen=True)
class EvalConfig:
    """One way of answering: a retrieval mode plus settings that override the defaults."""

    name: str
    mode: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "preset"

    def apply(self, base: Settings) -> Settings:
        return base.with_(**self.settings)

    def describe(self) -> str:
        """`mode=hybrid dense_weight=0.5`, for report headers."""
        return " ".join([f"mode={self.mode}", *(f"{k}={v}" for k, v in sorted(self.settings.items()))])


# "hybrid" is min-max weighted fusion (qa/fusion.py weighted), "rrf" reciprocal rank fusion.
PRESETS = {mode: EvalConfig(mode, mode) for mode in MODES}


def is_config_name(text: str) -> bool:
    """Whether a command-line word names configurations (presets or .toml files), not questions."""
    return all(part in PRESETS or part.endswith(".toml") for part in _split(text))


def resolve(words: Iterable[str]) -> list[EvalConfig]:
    """Configurations from preset names and TOML paths (comma-separated lists allowed), in order."""
    configs = [PRESETS[w] if w in PRESETS else _from_path(w) for text in words for w in _split(text)]
    names = [c.name for c in configs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"configuration name(s) used twice: {', '.join(duplicated)}")
    return configs


def _split(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


def _from_path(word: str) -> EvalConfig:
    path = Path(word)
    if path.suffix != ".toml":
        raise ConfigError(f"unknown preset {word!r}; presets are {', '.join(PRESETS)}, or give a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    return parse_config(data, path.stem, str(path))


def parse_config(data: Mapping[str, Any], default_name: str, where: str) -> EvalConfig:
    """An EvalConfig from a decoded TOML table: `name`, `mode` and a `[settings]` table."""
    unknown = sorted(set(data) - {"name", "mode", "settings"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; expected name, mode, [settings]")
    name = data.get("name", default_name)
    mode = data.get("mode", "hybrid")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    if mode not in MODES:
        raise ConfigError(f"{where}: mode {mode!r} is not one of {', '.join(MODES)}")
    return EvalConfig(name.strip(), mode, _settings(data.get("settings", {}), where), where)


def _settings(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [settings] must be a table")
    unknown = sorted(set(table) - set(TUNABLE))
    if unknown:
        raise ConfigError(f"{where}: setting(s) {', '.join(unknown)} cannot be set; choose from {', '.join(TUNABLE)}")
    return {key: _coerce(key, value, where) for key, value in table.items()}


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = TUNABLE[key]
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if kind in (str, Path) and isinstance(value, str) and value:
        return kind(value)
    raise ConfigError(f"{where}: setting {key} = {value!r} should be a {_KIND_NAMES[kind]}")
