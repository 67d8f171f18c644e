"""Column mapping files: read another system's export as if it were ours.

A mapping is a small TOML file (see data/mappings/):

    [source]
    timezone = "UTC"              # datetimes in the file are UTC; default: already local
    dayfirst = false

    [cases.columns]               # their column → our technical field name
    "工单编号" = "name"

    [cases.values.demand_type]    # their value → our code, per field
    "投诉类" = "complaint"

    [cases.defaults]              # a constant for a field their export lacks
    company_id = "某某有限公司"

    [compensations.columns] / [compensations.values.<field>] / [compensations.defaults]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from reports.model import CASE_COLUMNS, COMP_COLUMNS


class MappingError(ValueError):
    """The mapping file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class TableMapping:
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    cases: TableMapping = field(default_factory=TableMapping)
    compensations: TableMapping = field(default_factory=TableMapping)
    timezone: str | None = None
    dayfirst: bool = False
    path: str = ""


def _table(raw: dict, known: list[str], where: str) -> TableMapping:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a table")
    columns = {str(k): str(v) for k, v in raw.get("columns", {}).items()}
    bad = sorted(set(columns.values()) - set(known))
    if bad:
        raise MappingError(f"{where}.columns maps to unknown field(s) {bad}; "
                           f"known fields: {', '.join(known)}")
    values = {}
    for fname, table in raw.get("values", {}).items():
        if fname not in known:
            raise MappingError(f"{where}.values.{fname}: unknown field")
        values[fname] = {str(k): str(v) for k, v in table.items()}
    defaults = dict(raw.get("defaults", {}))
    bad = sorted(set(defaults) - set(known))
    if bad:
        raise MappingError(f"{where}.defaults: unknown field(s) {bad}")
    return TableMapping(columns, values, defaults)


def load(path: Path) -> Mapping:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path} not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} is not valid UTF-8 TOML: {exc}") from exc
    src = raw.get("source", {})
    return Mapping(
        cases=_table(raw.get("cases", {}), CASE_COLUMNS, "cases"),
        compensations=_table(raw.get("compensations", {}), COMP_COLUMNS, "compensations"),
        timezone=src.get("timezone"),
        dayfirst=bool(src.get("dayfirst", False)),
        path=str(path),
    )
