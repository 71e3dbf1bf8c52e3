import itertools
from datetime import UTC, datetime

from core.ids import id_for_time, id_to_datetime, new_id, parse_id
from core.text import clean_user_text, extract_mentions, extract_tags, normalize_tag, segment


def test_ids_are_unique_increasing_and_carry_time():
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == 5000
    millis = [i >> 16 for i in ids]
    assert millis == sorted(millis)  # time part never goes backwards
    assert abs((id_to_datetime(ids[0]) - datetime.now(UTC)).total_seconds()) < 5
    moment = datetime(2025, 1, 13, 12, 0, tzinfo=UTC)
    assert id_to_datetime(id_for_time(moment)) == moment
    assert ids[-1] < 2**63


def test_ids_keep_increasing_while_the_clock_stands_still_or_goes_back(monkeypatch):
    """More ids than the sequence holds in one millisecond, then a clock set back: every id is greater than
    the one before (a wrap of the low bits would have sent pagination backwards)."""
    import time

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # the standard library's clock, not our code
    still = [new_id() for _ in range(70_000)]
    monkeypatch.setattr(time, "time", lambda: now - 10)
    back = [new_id() for _ in range(100)]
    ids = still + back
    assert all(a < b for a, b in itertools.pairwise(ids))
    # Overflow borrows the next millisecond every 256 ids (8-bit sequence), no more than that.
    assert (ids[-1] >> 16) - int(now * 1000) <= -(-70_000 // 256) + 1


def test_parse_id_rejects_garbage():
    assert parse_id("123") == 123
    for bad in ("", "-1", "0", "1e5", "abc", "9" * 20, " 12", None, 2**63):
        assert parse_id(bad) is None


def test_clean_user_text_strips_invisible_and_controls():
    assert clean_user_text("he\u200bllo\u202e wor\x00ld\r\n") == "hello world"
    assert clean_user_text("  cafe\u0301 ") == "café"


def test_tags_and_mentions():
    assert extract_tags("Dinner #HotPot #火锅 and #hotpot again, not a#tag, url http://x/#frag") == ["hotpot", "火锅"]
    assert normalize_tag("#ＮＹＣ Eats") == "nyceats"
    assert extract_mentions("hi @Alice and @bob_2, mail me a@b.com") == ["alice", "bob_2"]


def test_segment_splits_chinese_words():
    words = segment("成都火锅推荐").split()
    assert "成都" in words and "火锅" in words
    assert segment("Hello World") == "hello world"
