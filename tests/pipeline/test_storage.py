"""Uploaded images live in object storage that every app server shares (MEDIA_STORAGE=s3).

The store is a real S3-compatible server started on loopback for the test (tests/servers.py).
"""

import io
import json
import urllib.request

import pytest
from django.core.files.images import ImageFile
from django.test import override_settings
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from tests.pipeline.test_settings import production_env, python
from tests.servers import S3_ACCESS_KEY, S3_SECRET_KEY, s3_server


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (320, 200), (29, 112, 184)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def s3_storage(settings, tmp_path):
    with s3_server() as endpoint:
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "pipeline-media",
                    "endpoint_url": endpoint,
                    "region_name": "eu-west-2",
                    "access_key": S3_ACCESS_KEY,
                    "secret_key": S3_SECRET_KEY,
                    "location": "media",
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        with override_settings(STORAGES=storages, MEDIA_ROOT=str(tmp_path / "not-used")):
            yield endpoint


@pytest.mark.django_db
def test_an_uploaded_image_and_its_renditions_are_kept_in_the_store_and_served_from_it(
    s3_storage, tmp_path
):
    image = get_image_model()(title="Crews' round map")
    image.file = ImageFile(io.BytesIO(png_bytes()), name="round-map.png")
    image.save()
    rendition = image.get_rendition("width-160")

    for url in (image.file.url, rendition.url):
        assert url.startswith(f"{s3_storage}/pipeline-media/media/")
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            assert response.status == 200
            assert PillowImage.open(io.BytesIO(response.read())).format == "PNG"
    assert PillowImage.open(io.BytesIO(urllib.request.urlopen(rendition.url).read())).width == 160  # noqa: S310
    assert not (tmp_path / "not-used").exists(), "nothing may be written to an app server's disk"


def test_production_settings_point_media_at_the_store_and_let_pages_show_its_images(tmp_path):
    env = production_env(
        tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET="council-media",
        S3_ENDPOINT_URL="https://objects.example.org",
        S3_ACCESS_KEY_ID="id",
        S3_SECRET_ACCESS_KEY="secret",
    )
    result = python(
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "print(json.dumps({'storage': settings.STORAGES['default'],\n"
        "  'img': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))\n",
        env,
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert answer["storage"]["OPTIONS"]["bucket_name"] == "council-media"
    assert answer["storage"]["OPTIONS"]["querystring_auth"] is True
    assert "https://objects.example.org" in answer["img"]


def test_an_unknown_media_storage_is_refused_at_start(tmp_path):
    result = python("import django; django.setup()", production_env(tmp_path, MEDIA_STORAGE="ftp"))

    assert result.returncode != 0
    assert "MEDIA_STORAGE must be filesystem, s3 or custom." in result.stderr
