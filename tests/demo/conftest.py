import pytest

from demo.photos import MATE_ROOT


@pytest.fixture
def mate_backgrounds():
    """Tests of the full photo pool need Debian's mate-backgrounds: fail saying so, never skip."""
    if not (MATE_ROOT / "nature").is_dir():
        pytest.fail(
            f"needs Debian's mate-backgrounds ({MATE_ROOT}): apt-get install mate-backgrounds "
            "(`make test` installs it when run as root)",
            pytrace=False,
        )
