import io
import random

import pytest
from PIL import Image, ImageDraw

from tests.review.fixtures import admin_user, held, post, reviewer  # noqa: F401  (review fixtures)

WORDS = [
    "dumplings",
    "hotpot",
    "noodles",
    "matcha",
    "latte",
    "bakery",
    "sunrise",
    "hiking",
    "lake",
    "bicycle",
    "museum",
    "garden",
    "puppy",
    "kitten",
    "skincare",
    "lipstick",
    "denim",
    "sneakers",
    "library",
    "notebook",
    "camera",
    "film",
    "vinyl",
    "guitar",
    "ceramics",
    "candle",
    "balcony",
    "market",
    "peaches",
    "tofu",
    "ramen",
    "croissant",
    "river",
    "bridge",
    "lantern",
    "temple",
    "subway",
    "rooftop",
    "picnic",
    "blanket",
]


PASSWORD = "correct horse battery"


def sign_in(page, url: str, username: str, *, password: str = PASSWORD, lands_on: str | None = "/") -> None:
    """Sign in through the log-in form, as a person would, on a Playwright page.

    Waits until the browser lands on ``lands_on`` (the home page by default); ``None`` waits only until it
    has left the log-in page (a reviewer is sent to the console, a next= to its page).
    """
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    if lands_on is None:
        page.wait_for_url(lambda u: "/login/" not in u)
    else:
        page.wait_for_url(f"{url}{lands_on}")


def distinct_image(seed: int, fmt: str = "JPEG", size: tuple[int, int] = (640, 800)) -> bytes:
    """A photo unlike any other seed's: random blocks, so perceptual hashes differ between notes."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(60, 320), rng.randrange(60, 320)
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def distinct_text(seed: int, words: int = 14) -> str:
    """A sentence unlike any other seed's, so near-duplicate screening leaves the notes alone."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)) + f" ({seed})"


@pytest.fixture
def post_note(db, django_capture_on_commit_callbacks):
    """Publish a note with its own photos and text (the review app holds copies posted by several accounts)."""
    from notes.services import create_note, upload_photo

    counter = iter(range(10_000, 1_000_000))

    def make(author, title: str | None = None, body: str | None = None, photos: int = 1, **kwargs):
        seed = next(counter)
        ids = [upload_photo(owner=author, file=distinct_image(seed * 10 + k)).pk for k in range(photos)]
        with django_capture_on_commit_callbacks(execute=True):
            return create_note(
                author=author,
                title=title or distinct_text(seed, 4),
                body=body or distinct_text(seed),
                photo_ids=ids,
                **kwargs,
            )

    return make


@pytest.fixture
def login(client):
    """Sign a user in on the test client (through the real log-in form) and return the client."""

    def do(user, password="correct horse battery"):
        response = client.post("/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        return client

    return do


@pytest.fixture
def libretranslate(settings):
    """A real translation engine for pages: the LibreTranslate stand-in (tests/translation/fake_servers.py)
    first, the word gloss last, as an instance with a remote engine configures them."""
    from tests.translation.fake_servers import FakeServer

    with FakeServer() as server:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = server.url
        settings.LIBRETRANSLATE_API_KEY = "lt-key"
        yield server
