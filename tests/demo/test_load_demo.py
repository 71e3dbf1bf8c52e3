"""The demo content: its data files are valid, and ``load_demo`` builds a lived-in site through the services."""

from __future__ import annotations

import io
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from accounts.models import Follow, User
from demo import content as demo_content
from demo.content import CATEGORIES, DemoContent, load_content, validate
from demo.loader import LOGIN_ACCOUNTS, pick_notes, pick_users
from demo.photos import LONG_SIDE, PhotoPool, render_variant, skimage_data_dir, source_path
from feeds.selectors import home_timeline
from notes.models import Board, Collect, Comment, Like, Note, Photo, Place, Tag
from trust.models import ImpersonationFlag

# --- the data files -----------------------------------------------------------------------------


def test_data_files_are_valid():
    assert load_content().errors == []


def test_limits_match_the_models():
    from accounts import models as accounts_models
    from notes import models as notes_models

    assert demo_content.MAX_TITLE == notes_models.MAX_TITLE
    assert demo_content.MAX_BODY == notes_models.MAX_BODY
    assert demo_content.MAX_COMMENT == notes_models.MAX_COMMENT
    assert demo_content.MAX_BOARD_NAME == notes_models.MAX_BOARD_NAME
    assert demo_content.MAX_BIO == accounts_models.MAX_BIO
    assert demo_content.MAX_DISPLAY_NAME == accounts_models.MAX_DISPLAY_NAME
    assert Tag._meta.get_field("name").max_length == demo_content.MAX_TAG
    assert Place._meta.get_field("name").max_length == demo_content.MAX_PLACE


def test_enough_people_and_notes_half_english_half_chinese():
    data = load_content()
    assert len(data.users) >= 64
    assert len(data.notes) >= 320
    writes = Counter("en" if u.writes == "en" else "zh" for u in data.users)
    assert writes["en"] == writes["zh"]
    assert sum(1 for u in data.users if len({x[:2] for x in u.languages}) > 1) >= 4  # a few bilingual
    assert {u.region for u in data.users} >= {"US", "GB", "CN", "TW", "HK", "SG", "TH", "CA", "AU"}
    languages = Counter(n.language for n in data.notes)
    assert languages["en"] == languages["zh-Hans"] + languages["zh-Hant"]
    assert 3 <= languages["zh-Hant"] < languages["zh-Hans"] // 5
    assert set(Counter(n.category for n in data.notes)) == set(CATEGORIES)
    assert any(u.newcomer for u in data.users) and any(n.welcome for n in data.notes)


# What each photo topic's photographs show, in words a note that uses it must say (title, text or tags):
# a guard against a note whose photo contradicts it (an IELTS note with an espresso).
TOPIC_WORDS = {
    "coffee": ["coffee", "café", "cafe", "flat white", "latte", "espresso", "cold brew", "moka", "咖啡"],
    "cat": ["cat", "kitten", "猫", "貓"],
    "launch": ["launch", "rocket", "space center", "火箭", "发射"],
    "astronaut": ["astronaut", "space", "宇航", "航天", "天文"],
    "stars": ["star", "sky", "galax", "milky way", "astronomy", "observatory", "星", "银河", "天文"],
    "camera": ["photo", "camera", "摄影", "街拍", "拍"],
    "brick": ["brick", "wall", "胡同", "城墙", "砖"],
    "flowers": ["flower", "floral", "garden", "spring", "bloom", "花"],
    "yellow": ["yellow", "sunflower", "黄", "油菜花"],
    "marigold": ["marigold", "万寿菊"],
    "grass": ["grass", "meadow", "pitch", "草"],
    "plants": ["plant", "leaf", "leaves", "herb", "garden", "green", "绿", "香草", "茶园", "园林", "小院", "树"],
    "ladybird": ["ladybird", "ladybug", "wildflower", "瓢虫"],
    "rain": ["rain", "dew", "雨", "露珠"],
    "seaside": ["sea", "beach", "sand", "dune", "ocean", "swim", "coast", "海"],
    "road": ["road", "drive", "van", "cycl", "bike", "storm", "prairie", "km", "骑", "騎", "自驾", "公路", "公里"],
    "wood": ["wood", "table", "floor", "木"],
}


def test_every_note_photo_topic_is_known_and_fits_its_words():
    data = load_content()
    assert set(TOPIC_WORDS) == set(data.photos.topics)
    for note in data.notes:
        text = f"{note.title} {note.body} {' '.join(note.tags)}".lower()
        for topic in note.photo:
            assert topic in data.photos.topics, note.key
            assert any(word in text for word in TOPIC_WORDS[topic]), f"{note.key}: {topic} does not fit {note.title}"
    # Photo notes and text notes both appear, in both languages.
    assert Counter((n.is_chinese, bool(n.photo)) for n in data.notes).keys() == {
        (False, True),
        (False, False),
        (True, True),
        (True, False),
    }


def test_a_topic_draws_only_on_its_own_photographs(mate_backgrounds):
    data = load_content()
    pool = PhotoPool(seed=1)
    # scikit-image is a requirement, so its photographs are always there.
    assert {"coffee", "chelsea", "astronaut", "rocket", "hubble"} <= set(pool.available)
    rng = random.Random(0)
    for note in data.notes:
        allowed = {name for topic in note.photo for name in data.photos.topics[topic]}
        keys = pool.choose(note.photo, 4, rng)
        assert bool(keys) == bool(note.photo), note.key  # every topic has an installed photograph
        assert {name for name, _ in keys} <= allowed, note.key


def test_notes_are_written_in_their_language():
    for note in load_content().notes:
        text = note.title + note.body
        han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") / len(text)
        # English notes may quote a Chinese word or two (新中式, 水光肌); Chinese notes are mostly Han.
        assert (han > 0.3) if note.is_chinese else (han < 0.05), note.key


def test_validation_catches_bad_data():
    data = load_content()
    note = data.notes[0]
    broken = DemoContent(
        users=[replace(data.users[0], username="bad name!", region="usa"), data.users[1], data.users[1]],
        notes=[
            replace(note, title="x" * 101),
            replace(note, photo=("no-such-topic",)),
            replace(note, tags=[]),
            replace(note, tags=["#hash"]),
            replace(note, language="fr"),
            replace(note, author="nobody_here"),
        ],
        chatter=data.chatter,
        photos=data.photos,
    )
    errors = "\n".join(validate(broken))
    for expected in (
        "bad username",
        "region 'usa'",
        "duplicate username",
        "title empty or over 100",
        "unknown photo topic no-such-topic",
        "1-5 tags",
        "language fr",
        "unknown author nobody_here",
    ):
        assert expected in errors


def test_small_selections_mix_languages_and_categories():
    data = load_content()
    people = pick_users(data, 4)
    assert [u.writes == "en" for u in people] == [True, False, True, False]
    notes = pick_notes(data, 16)
    assert Counter(n.is_chinese for n in notes) == {False: 8, True: 8}
    assert len({n.category for n in notes}) == 8


# --- the photo pool -----------------------------------------------------------------------------


def test_variants_are_distinct_reproducible_1080px_jpegs():
    path = source_path(load_content().photos.sources["coffee"])
    assert path is not None
    source = Image.open(path).convert("RGB")
    first = render_variant(source, gray=False, seed="1:coffee:0")
    assert first == render_variant(source, gray=False, seed="1:coffee:0")
    others = {render_variant(source, gray=False, seed=f"1:coffee:{i}") for i in range(1, 6)}
    assert first not in others and len(others) == 5
    image = Image.open(io.BytesIO(first))
    assert image.format == "JPEG" and max(image.size) == LONG_SIDE


def test_pool_gives_a_note_different_photos(mate_backgrounds):
    pool = PhotoPool(seed=3)
    keys = pool.choose(["flowers"], 4, random.Random(0))
    assert len(set(keys)) == 4
    assert all(name in pool.catalog.topics["flowers"] for name, _ in keys)
    assert len({pool.render(k) for k in keys}) == 4


def test_one_photograph_gives_at_most_two_crops():
    keys = PhotoPool(seed=3).choose(["cat"], 4, random.Random(0))
    assert [name for name, _ in keys] == ["chelsea", "chelsea"] and len(set(keys)) == 2


def test_without_mate_backgrounds_a_topic_never_borrows_another_topics_photos(tmp_path):
    pool = PhotoPool(seed=1, roots={"skimage": skimage_data_dir(), "mate": tmp_path})
    assert "dune" in pool.missing and "coffee" not in pool.missing
    assert pool.sources_for("grass") == ["grass"]  # scikit-image's grass still shows grass
    assert pool.sources_for("coffee") == ["coffee"]
    # Nothing installed shows the seaside: the note goes out as a text note, not with gravel or a cup.
    assert pool.sources_for("seaside") == []
    assert pool.choose(["seaside"], 2, random.Random(0)) == []
    keys = pool.choose(["ladybird", "cat"], 2, random.Random(0))
    assert {name for name, _ in keys} == {"chelsea"}
    assert Image.open(io.BytesIO(pool.render(keys[0]))).format == "JPEG"


def test_avatars_are_square_photos_that_differ_per_person():
    pool = PhotoPool(seed=1)
    people = load_content().users[:6]
    avatars = [pool.avatar(u.username, u.interests) for u in people]
    assert len(set(avatars)) == len(avatars)
    assert pool.avatar(people[0].username, people[0].interests) == avatars[0]  # reproducible
    image = Image.open(io.BytesIO(avatars[0]))
    assert image.format == "JPEG" and image.size == (400, 400)


def test_avatars_come_from_installed_photographs_only(tmp_path):
    pool = PhotoPool(seed=1, roots={"skimage": skimage_data_dir(), "mate": tmp_path})
    # A home-and-beauty person's topics are all mate-backgrounds photographs: the "any" list serves.
    assert Image.open(io.BytesIO(pool.avatar("someone", ["home", "beauty"]))).size == (400, 400)


def test_no_photo_source_at_all_is_a_clear_error(tmp_path):
    pool = PhotoPool(seed=1, roots={"skimage": tmp_path, "mate": tmp_path})
    with pytest.raises(RuntimeError, match="pip install scikit-image"):
        pool.sources_for("cat")


def test_unknown_source_root_is_not_found():
    source = replace(load_content().photos.sources["coffee"], root="nowhere")
    assert source_path(source) is None


# --- load_demo ----------------------------------------------------------------------------------


def _load(on_commit, **options):
    out = io.StringIO()
    with on_commit():
        call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_a_bilingual_site_through_the_services(on_commit):
    output = _load(on_commit, users=6, notes=16)

    assert User.objects.count() == 6
    notes = list(Note.objects.all())
    assert len(notes) == 16
    languages = Counter(n.language for n in notes)
    assert languages["en"] == 8 and languages["zh-Hans"] + languages["zh-Hant"] == 8
    assert all(n.state == "published" and n.title for n in notes)
    # Spread over the last 30 days, and ids sort like the dates (timelines page by id).
    now = timezone.now()
    assert all(now - timedelta(days=30) <= n.created_at <= now for n in notes)
    assert len({n.created_at.date() for n in notes}) > 5
    assert [n.pk for n in sorted(notes, key=lambda n: n.created_at)] == sorted(n.pk for n in notes)
    specs = {n.title: n for n in pick_notes(load_content(), 16)}
    for note in notes:
        photos = list(note.photos.all())
        # A note whose topics have a photograph installed gets 1-4 of them; a text note gets none.
        assert (1 <= len(photos) <= 4) if specs[note.title].photo else not photos, note.title
        assert all(
            p.width > 0 and p.blurhash and p.alt_text and p.large.storage.exists(str(p.large.name)) for p in photos
        )
        assert 1 <= note.tags.count() <= 5
    assert any(n.photos.exists() for n in notes) and any(not n.photos.exists() for n in notes)
    assert Photo.objects.filter(note__isnull=True).count() == 0

    assert Follow.objects.count() > 0
    assert Like.objects.count() > 0 and Comment.objects.count() > 0
    assert Board.objects.filter(is_default=False).count() > 0
    assert Collect.objects.count() == sum(n.collect_count for n in Note.objects.all())
    assert Like.objects.count() == sum(n.like_count for n in Note.objects.all())
    assert Comment.objects.filter(body__regex=r"[\u4e00-\u9fff]").exists()
    assert Comment.objects.exclude(body__regex=r"[\u4e00-\u9fff]").exists()

    people = {u.username: u for u in User.objects.all()}
    # Every demo person has a profile photo, not a letter.
    assert all(u.avatar and u.avatar.storage.exists(str(u.avatar.name)) for u in people.values())
    jess = people["maple_matcha"]
    assert jess.display_name == "Jess Tremblay" and jess.region == "CA" and jess.bio
    # Two official demo accounts carry the verified badge; no demo person looks like them.
    assert jess.verified and people["xiaoman_chi"].verified
    assert sum(u.verified for u in people.values()) == 2
    assert not ImpersonationFlag.objects.exists()
    assert people["xiaoman_chi"].languages == ["zh-Hans"] and people["xiaoman_chi"].bio.startswith("成都")
    followed = set(Follow.objects.filter(follower=jess).values_list("followee_id", flat=True))
    timeline = home_timeline(jess, limit=40)
    assert timeline and {n.author_id for n in timeline} <= followed | {jess.pk}

    logins = [u for u in User.objects.all() if u.has_usable_password()]
    assert len(logins) == LOGIN_ACCOUNTS
    assert all(u.check_password("notebridge-demo") for u in logins)
    assert "Demo loaded: 6 users, 16 notes" in output and "maple_matcha" in output
    # An English and a Chinese reviewer, among the accounts one can log in as, say so in the output.
    from review.models import Reviewer

    reviewers = {r.user.username: r.languages for r in Reviewer.objects.select_related("user")}
    assert sorted(reviewers.values()) == [["en"], ["zh-Hans", "zh-Hant"]]
    assert all(people[name].has_usable_password() for name in reviewers)
    assert f"Demo reviewers (they open /review/): {', '.join(reviewers)}." in output
    # The empty search page of a fresh site has a hot list in both interface languages.
    from notes.search_trends import hot_searches

    assert hot_searches(language="en", region=None) and hot_searches(language="zh-hans", region=None)


@pytest.mark.django_db
def test_if_empty_is_idempotent(on_commit):
    _load(on_commit, users=2, notes=2)
    counts = (User.objects.count(), Note.objects.count(), Photo.objects.count())
    output = _load(on_commit, users=2, notes=2, if_empty=True)
    assert "already has content" in output
    assert (User.objects.count(), Note.objects.count(), Photo.objects.count()) == counts
    with pytest.raises(CommandError, match="already loaded"):
        _load(on_commit, users=2, notes=2)
    assert (User.objects.count(), Note.objects.count(), Photo.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_a_load_stopped_part_way_leaves_nothing_and_the_next_one_loads_everything():
    """Ctrl-C while the notes are posted (a newcomer's `make run` takes a minute or more): nothing stays,
    so `--if-empty` loads the demo next time instead of skipping a site of accounts without notes."""
    from demo.loader import load_demo, site_has_content

    def stop_at_the_notes(line: str) -> None:
        if line.strip().startswith("notes:"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_demo(users=3, notes=6, log=stop_at_the_notes)
    assert (User.objects.count(), Note.objects.count(), Follow.objects.count(), Board.objects.count()) == (0, 0, 0, 0)
    assert not site_has_content()

    output = io.StringIO()
    call_command("load_demo", users=3, notes=6, if_empty=True, stdout=output)
    assert "Demo loaded: 3 users, 6 notes" in output.getvalue()
    assert (User.objects.count(), Note.objects.count()) == (3, 6)


@pytest.mark.django_db
def test_if_empty_leaves_a_site_with_notes_alone(on_commit, make_user, make_note):
    make_note(make_user("someone_real"))
    output = _load(on_commit, users=2, notes=2, if_empty=True)
    assert "already has content" in output
    assert User.objects.count() == 1 and Note.objects.count() == 1


@pytest.mark.django_db
def test_a_single_user_gets_every_note(on_commit):
    _load(on_commit, users=1, notes=3)
    assert User.objects.count() == 1
    assert Note.objects.filter(author__username="maple_matcha").count() == 3
    assert not Follow.objects.exists() and not Like.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("option", [{"users": 0}, {"notes": -3}])
def test_bad_counts_are_refused(on_commit, option):
    with pytest.raises(CommandError, match="at least 1"):
        _load(on_commit, **option)
    assert not User.objects.exists()
