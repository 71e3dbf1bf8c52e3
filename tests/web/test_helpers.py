from django.template import Template
from django.utils import translation

from web.nav import links_for, register_nav_link
from web.templatetags.web_tags import compact, placeholder


def test_compact_counts_per_language():
    with translation.override("en"):
        assert [compact(n) for n in (999, 1000, 1250, 2_500_000)] == ["999", "1k", "1.2k", "2.5M"]
    with translation.override("zh-hans"):
        assert [compact(n) for n in (9999, 12_345)] == ["9999", "1.2万"]


def test_placeholder_from_blurhash_and_garbage():
    assert placeholder("LEHV6nWB2yk8pyo0adR*.7kCMdnj").startswith("linear-gradient(180deg,#")
    assert placeholder("not a hash") == "#eee9e6"
    assert placeholder("") == "#eee9e6"


def test_registered_nav_links(make_user, monkeypatch):
    monkeypatch.setattr("web.nav._links", [])
    register_nav_link("web:boards", "Boards link")
    register_nav_link("web:notifications", "Staff link", staff_only=True)
    register_nav_link("no:such-url", "Broken")
    user = make_user()
    labels = [str(link["label"]) for link in links_for(user)]
    assert "Boards link" in labels and "Staff link" not in labels and "Broken" not in labels
    user.is_staff = True
    assert "Staff link" in [str(link["label"]) for link in links_for(user)]


def test_base_template_blocks_for_other_teams(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    template = Template(
        '{% extends "base.html" %}{% block title %}Queue{% endblock %}'
        '{% block nav_extra %}<li><a href="/x/">Extra</a></li>{% endblock %}'
        "{% block content %}<p>Body</p>{% endblock %}"
    )
    from django.template import RequestContext

    html = template.render(RequestContext(request, {}))
    assert "<title>Queue · Notebridge</title>" in html and '<a href="/x/">Extra</a>' in html and "<p>Body</p>" in html
