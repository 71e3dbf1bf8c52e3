"""Media on S3-compatible object storage (``MEDIA_STORAGE=s3``, django-storages), against a real local S3
server (moto's, installed from PyPI): photos are stored there with long-lived caching, served from there
by signed URLs, screened from a copy, and deleted with their note."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import image_bytes
from tests.servers import free_port

boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages.backends.s3")
pytestmark = pytest.mark.django_db

BUCKET = "notebridge-media"
MOTO = Path(sys.executable).parent / "moto_server"


@pytest.fixture(scope="module")
def s3_endpoint():
    if not MOTO.exists():
        pytest.skip("needs moto[server] (requirements-dev.txt)")
    port = free_port()
    server = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(endpoint, timeout=5)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def s3_media(settings, s3_endpoint):
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                # What MEDIA_STORAGE=s3 with S3_ENDPOINT_URL and keys sets up (notebridge/settings.py).
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "querystring_auth": True,
                "file_overwrite": False,
                "default_acl": None,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_a_photo_is_stored_served_screened_and_deleted_on_object_storage(s3_media, settings, make_user, on_commit):
    from notes.services import create_note, delete_note, upload_photo
    from review.intake import photo_files

    author = make_user("fen")
    photo = upload_photo(owner=author, file=image_bytes(size=(1600, 1200)))
    stored = _keys(s3_media)
    assert {photo.original.name, photo.large.name, photo.thumb.name} <= stored
    assert not (Path(settings.MEDIA_ROOT) / str(photo.original.name)).exists()  # nothing on local disk

    served = requests.get(photo.original.url, timeout=10)  # a signed URL on the object store
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Signature" in photo.original.url or "X-Amz-Signature" in photo.original.url

    # The photo screening stages open files: they get a temporary copy, removed afterwards.
    with photo_files([photo.original]) as paths:
        assert Path(paths[0]).read_bytes() == served.content
    assert not Path(paths[0]).exists()

    with on_commit():
        note = create_note(author=author, title="Lanterns", body="The old town at night", photo_ids=[photo.pk])
    with on_commit():
        delete_note(author=author, note_id=note.pk)
    assert _keys(s3_media) == stored - {photo.original.name, photo.large.name, photo.thumb.name}


def test_a_broken_upload_leaves_nothing_in_the_bucket(s3_media, make_user):
    from core.errors import ServiceError
    from notes.services import upload_photo

    with pytest.raises(ServiceError):
        upload_photo(owner=make_user("gao"), file=b"GIF89a not really an image")
    assert _keys(s3_media) == set()


def test_the_environment_alone_puts_media_on_object_storage(s3_media, s3_endpoint, tmp_path):
    """What a self-hoster sets (docs/deploy.md): MEDIA_STORAGE=s3 and the S3_* variables, nothing else."""
    import os

    env = dict(os.environ, MEDIA_STORAGE="s3", S3_BUCKET=BUCKET, S3_ENDPOINT_URL=s3_endpoint, S3_REGION="us-east-1")
    env.update(S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test", NOTEBRIDGE_DATA_DIR=str(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "notebridge.settings"
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "name = default_storage.save('photos/o/hello.jpg', ContentFile(b'not a photo, a probe'))\n"
        "print(name, settings.SERVE_MEDIA, default_storage.url(name))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    name, serve_media, url = out.stdout.split()
    assert _keys(s3_media) == {name}
    assert serve_media == "False"  # Django no longer serves /media/: the store does
    assert url.startswith(f"{s3_endpoint}/{BUCKET}/photos/o/") and "Signature" in url

    env["MEDIA_STORAGE"] = "ftp"
    bad = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "MEDIA_STORAGE must be local or s3" in bad.stderr
