"""The Chinese catalogue is complete, and the committed .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?:msgctxt (?P<ctx>".*")\n)?msgid (?P<id>".*"(?:\n".*")*)\n'
    r'(?:msgid_plural ".*"(?:\n".*")*\n)?msgstr(?:\[0\])? (?P<str>".*"(?:\n".*")*)',
    re.M,
)


def _text(quoted: str) -> str:
    return "".join(ast.literal_eval(line) for line in quoted.split("\n"))


def entries() -> list[tuple[str | None, str, str]]:
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    found = [(_text(m["ctx"]) if m["ctx"] else None, _text(m["id"]), _text(m["str"])) for m in ENTRY.finditer(po)]
    return [e for e in found if e[1]]


def test_every_string_is_translated_and_not_fuzzy():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    missing = [msgid for _ctx, msgid, msgstr in entries() if not msgstr]
    assert missing == []
    assert len(entries()) > 240


def test_placeholders_survive_translation():
    for _ctx, msgid, msgstr in entries():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid


def test_compiled_catalogue_matches_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for ctx, msgid, msgstr in entries():
        got = catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)
        assert got == msgstr, f"{msgid!r}: run make compilemessages"


ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ROOTS = [ROOT / "templates", ROOT / "api" / "templates"]
SIMPLE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(?P<id>.*?)\1(?:\s+context\s+(["'])(?P<ctx>.*?)\3)?""")
BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def template_strings() -> list[tuple[str, str | None, str]]:
    """(template, context, msgid) for every string the templates ask gettext for."""
    found = []
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            source = path.read_text(encoding="utf-8")
            name = str(path.relative_to(ROOT))
            for m in SIMPLE.finditer(source):
                found.append((name, m["ctx"], m["id"]))
            for m in BLOCK.finditer(source):
                context = re.search(r"""context\s+(["'])(.*?)\1""", m["args"])
                singular = m["body"].split("{% plural %}")[0]
                found.append((name, context[2] if context else None, VARIABLE.sub(r"%(\1)s", singular)))
    return found


def test_every_template_string_is_in_the_catalogue_and_translated():
    """Catches a template string added without running ``make messages`` (the first test cannot)."""
    translated = {(ctx, msgid): msgstr for ctx, msgid, msgstr in entries()}
    strings = template_strings()
    missing = [(name, msgid) for name, ctx, msgid in strings if not translated.get((ctx, msgid))]
    assert missing == []
    covered = {name.split("/")[0] for name, _ctx, _id in strings}
    assert {"templates", "api"} <= covered
    review_pages = {name for name, _ctx, _id in strings if name.startswith("templates/review/")}
    # console, item (and its thread's comments), audit, notices, appeal, report, transparency, reviewers
    assert len(review_pages) == 9


def test_country_names_and_shipped_clauses_are_translated():
    from django.utils import translation

    from core.countries import NAMES
    from review.labels import CATEGORIES, SHIPPED_CLAUSES
    from review.packs import build_packs

    packs = build_packs({})
    with translation.override("en"):
        english = {code: str(name) for code, name in NAMES.items()}
        category_names = {code: str(label) for code, label in CATEGORIES.items()}
    with translation.override("zh-hans"):
        assert [code for code, name in NAMES.items() if str(name) == english[code]] == []
        assert str(NAMES["US"]) == "美国" and str(NAMES["CN"]) == "中国"
        assert [code for code, label in CATEGORIES.items() if str(label) == category_names[code]] == []
        # Every clause the shipped global pack quotes in statements has a Chinese text.
        clauses = {info["clause"] for info in packs.categories.values()}
        assert clauses <= set(SHIPPED_CLAUSES)
        assert [c for c in clauses if translation.gettext(c) == c] == []
    assert set(CATEGORIES) == set(packs.categories)


GETTEXT = {"_": 0, "gettext": 0, "gettext_lazy": 0, "ngettext": 0, "ngettext_lazy": 0, "_lazy": 0}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext"}
PYTHON_SKIP = {".venv", "tests", "bench", "var", "artifacts", "node_modules", "migrations"}


def python_strings() -> list[tuple[str, str | None, str]]:
    """(module, context, msgid) for every literal string the Python code asks gettext for."""
    found: list[tuple[str, str | None, str]] = []
    for path in sorted(ROOT.rglob("*.py")):
        if PYTHON_SKIP & set(path.relative_to(ROOT).parts):
            continue
        name = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            args = node.args
            if node.func.id in GETTEXT and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.append((name, None, args[0].value))
            elif node.func.id in PGETTEXT and len(args) > 1:
                ctx, msgid = args[0], args[1]
                if isinstance(ctx, ast.Constant) and isinstance(msgid, ast.Constant):
                    found.append((name, str(ctx.value), str(msgid.value)))
    return found


def test_every_python_string_is_in_the_catalogue_and_translated():
    """A string added in Python without ``make messages`` reaches a Chinese reader in English (the
    review console's "account risk" did)."""
    translated = {(ctx, msgid): msgstr for ctx, msgid, msgstr in entries()}
    strings = python_strings()
    missing = [(name, msgid) for name, ctx, msgid in strings if msgid and not translated.get((ctx, msgid))]
    assert missing == []
    assert len(strings) > 200
