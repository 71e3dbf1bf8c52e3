"""The Chinese catalogue is complete, and the committed .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?:msgctxt (?P<ctx>".*")\n)?msgid (?P<id>".*"(?:\n".*")*)\n'
    r'(?:msgid_plural .*\n)?msgstr(?:\[0\])? (?P<str>".*"(?:\n".*")*)',
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
