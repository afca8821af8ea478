"""Import `skill/alexa/tracks.py` (the /audio route) while skill/alexa/ is not yet a package.

Until skill/alexa.py moves into skill/alexa/ (with its __init__.py), the name `skill.alexa`
is that module, so `skill.alexa.tracks` cannot be imported by name: it is loaded by path.
Once the move lands, the first import works and this file can go (app.py then imports
`skill.alexa.tracks` directly).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _module() -> ModuleType:
    try:
        import skill.alexa.tracks as tracks

        return tracks
    except ModuleNotFoundError:
        name = "skill._alexa_tracks"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "alexa" / "tracks.py")
            assert spec and spec.loader
            sys.modules[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(sys.modules[name])
        return sys.modules[name]


tracks_blueprint = _module().tracks_blueprint
