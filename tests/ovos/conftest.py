"""The OVOS skill under ovoscope's minicroft: loaded through its entry point, with OVOS's
own pipeline (stop, converse, padacioso, fallbacks) over a fake message bus. One minicroft
per test file; each test talks in a session (and a site: a user) of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ovoskit import SKILL_ID  # noqa: E402


@pytest.fixture(scope="module")
def croft():
    from ovoscope import get_minicroft

    minicroft = get_minicroft([SKILL_ID])
    yield minicroft
    minicroft.stop()
