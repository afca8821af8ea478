"""What a reader of the repository finds: a user's README that points to docs/ for the rest,
links that lead somewhere, and no text that only made sense to the people who wrote it
(issue numbers, "a later issue", remarks about one machine, files outside the repository)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 160
DOCS = ("alexa", "self-hosting", "aws", "offline", "architecture", "testing")

# Each pattern is something a newcomer cannot act on; the test file itself names them.
STALE = {
    "an issue number": re.compile(r"\bissues? ?#?\d+", re.I),
    "a promise of later work": re.compile(r"\blater issue", re.I),
    "a remark about one machine": re.compile(r"\bthis machine\b|not tried here", re.I),
    "a file outside the repository": re.compile(r"DESIGN\.md|\.\./shared"),
}


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    paths = [ROOT / n for n in names.splitlines() if n != "tests/test_docs.py"]
    return [p for p in paths if p.is_file() and b"\0" not in p.read_bytes()[:4096]]


def test_readme_is_short_and_points_to_every_doc():
    readme = (ROOT / "README.md").read_text()
    assert readme.count("\n") <= README_MAX_LINES, f"README has {readme.count(chr(10))} lines"
    for name in DOCS:
        assert f"(docs/{name}.md)" in readme, f"README does not link docs/{name}.md"
    assert (ROOT / "CHANGELOG.md").is_file()


@pytest.mark.parametrize("doc", ["README.md", *(f"docs/{d}.md" for d in DOCS)])
def test_every_relative_link_leads_to_a_file(doc):
    path = ROOT / doc
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text())
    missing = [link for link in links if "://" not in link and not (path.parent / link).exists()]
    assert not missing, f"{doc} links to files that are not there: {missing}"


def test_no_tracked_file_speaks_to_the_authors_alone():
    found = [
        f"{p.relative_to(ROOT)}:{n}: {what}"
        for p in tracked_text_files()
        for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
        for what, pattern in STALE.items()
        if pattern.search(line)
    ]
    assert not found, "\n".join(found)
