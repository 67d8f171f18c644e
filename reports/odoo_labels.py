"""The labels of every coded value, as the Odoo server names them, in both languages.

Reading from Odoo, the workbooks show the server's own labels — the selection labels of
``fields_get`` and the names of the channel and remedy-type records, each in Chinese
(zh_CN) and English (en_US) — so a label renamed or retranslated on the server is the label
the documents show. Files keep reports.model's tables, which hold the add-on's labels.
"""

from __future__ import annotations

import logging

from reports import model

log = logging.getLogger(__name__)

LANGS = {"zh": "zh_CN", "en": "en_US"}
# Coded record keys: the table, the model and the field holding the code.
_RECORDS = ((model.CHANNELS, "complaint.channel", "code"),
            (model.REMEDY_TYPES, "complaint.remedy.type", "code"))


def _context(odoo, lang: str) -> dict:
    return dict(odoo.env.context, lang=lang, active_test=False)


def _langs(odoo) -> dict[str, str]:
    """LANGS, less Chinese where the server has not installed it: Odoo would answer in
    English, so the reports' own Chinese labels are kept."""
    installed = odoo.execute_kw("res.lang", "search_read",
                                [[("code", "in", list(LANGS.values()))]], {"fields": ["code"]})
    active = {r["code"] for r in installed}
    if "zh_CN" not in active:
        log.warning("Chinese (zh_CN) is not installed on the server: the documents keep the "
                    "reports' own Chinese labels")
    return {key: lang for key, lang in LANGS.items() if lang in active or key == "en"}


def _selections(odoo, model_name: str, fields: list[str],
                langs: dict[str, str]) -> dict[str, dict[str, dict]]:
    """{field: {lang key: {code: label}}} of the selection fields among ``fields``."""
    out: dict[str, dict[str, dict]] = {}
    for key, lang in langs.items():
        described = odoo.execute_kw(model_name, "fields_get", [fields],
                                    {"attributes": ["type", "selection"],
                                     "context": _context(odoo, lang)})
        for field, spec in described.items():
            if spec.get("type") == "selection":
                out.setdefault(field, {})[key] = dict(spec["selection"])
    return out


def _table(table: dict[str, model.Code], zh: dict | None, en: dict) -> dict[str, model.Code]:
    """The table with the server's labels (``zh`` None: the table's own Chinese labels); the
    reports' own labels stay recognised (as aliases), and a value the server has but the
    table lacks is added."""
    out = {}
    for code in [*table, *(c for c in en if c not in table)]:
        known = table.get(code)
        if code not in en:
            out[code] = known
            continue
        aliases = known.aliases if known else ()
        chinese = (known.zh if known else en[code]) if zh is None else zh.get(code, en[code])
        new = model.Code(code, chinese, en[code], aliases)
        if known and (known.zh, known.en) != (new.zh, new.en):
            new = model.Code(code, new.zh, new.en,
                             tuple(dict.fromkeys((*aliases, known.zh, known.en))))
        out[code] = new
    return out


def read(odoo) -> dict[str, dict[str, model.Code]]:
    """The server's tables by their name in reports.model.CODE_TABLES (for model.use_labels).
    A table shared by several fields — levels, cause types, outcomes — is read once, from
    the case where it is a case field."""
    names = {id(table): name for name, table in model.CODE_TABLES.items()}
    langs = _langs(odoo)
    tables: dict[str, dict[str, model.Code]] = {}
    for model_name, coded in (("complaint.case", model.CASE_CODED),
                              ("complaint.compensation", model.COMP_CODED)):
        labels = _selections(odoo, model_name, list(coded), langs)
        for field, table in coded.items():
            name = names[id(table)]
            if name in tables or field not in labels:
                continue
            tables[name] = _table(table, labels[field].get("zh"), labels[field]["en"])
    for table, model_name, code_field in _RECORDS:
        names_by_lang = {}
        for key, lang in langs.items():
            rows = odoo.execute_kw(model_name, "search_read", [[]],
                                   {"fields": [code_field, "name"],
                                    "context": _context(odoo, lang)})
            names_by_lang[key] = {r[code_field]: r["name"] for r in rows if r[code_field]}
        tables[names[id(table)]] = _table(table, names_by_lang.get("zh"), names_by_lang["en"])
    log.info("labels of %d code tables read from the server in %s", len(tables),
             " and ".join(langs.values()))
    return tables
