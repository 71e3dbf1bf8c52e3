from __future__ import annotations

import pytest

from review.packs import PACK_CODES, PackError, build_packs, get_packs, parse_pack, shipped_source


def test_shipped_packs_load_and_cover_the_regions():
    packs = build_packs({})
    assert set(packs.packs) == set(PACK_CODES)
    assert packs.for_country("TH")[0].code == "TH"
    assert packs.for_country("de")[0].code == "EU"
    assert packs.ip_location_label_required("CN")
    assert not packs.ip_location_label_required("US")
    assert packs.packs["GB"].age_rules["age_assurance_for_adult"] is True
    assert "harassment" in packs.global_pack.prohibited


def test_regional_thresholds_only_tighten():
    packs = build_packs({})
    assert packs.thresholds("GB")["hold"] == 0.45
    assert packs.thresholds("US")["hold"] == packs.thresholds()["hold"]


@pytest.mark.parametrize(
    "source, message",
    [
        ("not: [valid", "YAML"),
        ("- a list", "mapping"),
        ("code: TH\nname: x\ncountries: [TH]\nrules: [{id: a, category: nope, score: 0.5}]", "unknown category"),
        ("code: TH\ncountries: [TH]\nrules: [{id: a, category: spam, score: 7}]", "score"),
        ("code: TH\ncountries: [TH]\nrules: [{id: a, category: spam, score: 0.5, patterns: ['(']}]", "patterns"),
        ("code: TH\ncountries: [Thailand]", "ISO"),
        ("code: TH\ncountries: [TH]\nsurprise: 1", "unknown keys"),
        ("code: TH\ncountries: [TH]\nthresholds: {hold: 0.9, reject: 0.5}", "below"),
        ("code: US\ncountries: [US]", "must be TH"),
        ("code: TH\ncountries: [TH]\nblocked_domains: ['bad domain']", "domain"),
    ],
)
def test_bad_packs_are_refused_with_the_reason(source, message):
    known = set(build_packs({}).categories)
    with pytest.raises(PackError, match=message):
        parse_pack(source, expected_code="TH", known_categories=known)


def test_oversize_pack_refused():
    with pytest.raises(PackError, match="too large"):
        parse_pack("code: TH\n#" + "x" * 600_000, expected_code="TH")


def test_admin_override_replaces_the_shipped_pack(db, admin_user):
    from review.pack_edits import update_pack

    source = shipped_source("TH").replace("ล้มเจ้า", 'ล้มเจ้า", "กบฏออนไลน์')
    with_cb = update_pack(actor=admin_user, code="TH", source=source)
    assert with_cb.code == "TH"
    from review.pack_edits import packs_changed

    packs_changed()
    rules = get_packs().packs["TH"].rules
    assert any("กบฏออนไลน์" in r.substrings for r in rules)


def test_non_admin_cannot_edit_packs(db, make_user):
    from core.errors import Forbidden
    from review.pack_edits import update_pack

    with pytest.raises(Forbidden):
        update_pack(actor=make_user(), code="TH", source=shipped_source("TH"))


def test_invalid_override_is_not_saved(db, admin_user):
    from core.errors import ServiceError
    from review.models import PolicyPackOverride
    from review.pack_edits import update_pack

    with pytest.raises(ServiceError):
        update_pack(actor=admin_user, code="global", source="code: global\ncategories: {}")
    assert not PolicyPackOverride.objects.exists()
