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
    """OVOS's padacioso matches in a process pool made for every utterance. Forked from a
    test process whose other threads (a bus timer, a writer left by another test file) may
    hold a lock, a pool worker can hang for good; started from a fork server (one thread),
    it cannot."""
    import multiprocessing

    from ovoscope import get_minicroft

    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("forkserver", force=True)
    minicroft = get_minicroft([SKILL_ID])
    yield minicroft
    minicroft.stop()
    multiprocessing.set_start_method(before, force=True)
