"""The lesson plan (docs/teaching.md): its images, its timings and its screenshot script.

Every image the plan shows must exist beside it and carry alt text; the timed sections must
fill the 50-minute lesson; the plan must say how its screenshots are made, and that script must
at least answer ``--help`` (running it takes minutes and a browser, so the test does not).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "teaching.md"
SCRIPT = ROOT / "docs" / "teaching" / "make_screenshots.py"
LESSON_MINUTES = 50
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
TIMED = re.compile(r"^#{2,3}\s+.*\((?P<minutes>\d+)\s*min\)\s*$", re.MULTILINE)


def text() -> str:
    return DOC.read_text(encoding="utf-8")


def images() -> list[tuple[str, str]]:
    return [(m["alt"], m["src"]) for m in IMAGE.finditer(text())]


def test_the_plan_shows_screenshots() -> None:
    srcs = [src for _, src in images()]
    assert len(srcs) >= 8, srcs
    assert all(src.startswith("teaching/") and src.endswith(".png") for src in srcs), srcs
    # No image tag outside Markdown's syntax slips past the checks below.
    assert "<img" not in text()


def test_every_image_exists() -> None:
    missing = [src for _, src in images() if not (DOC.parent / src).is_file()]
    assert missing == [], f"docs/teaching.md shows images that are not there: {missing}"


def test_every_image_has_alt_text() -> None:
    bare = [src for alt, src in images() if len(alt.strip()) < 15]
    assert bare == [], f"images without meaningful alt text: {bare}"


def test_the_timed_sections_fill_the_lesson() -> None:
    minutes = [int(m["minutes"]) for m in TIMED.finditer(text())]
    assert len(minutes) >= 3, minutes
    assert sum(minutes) == LESSON_MINUTES, minutes


def test_the_plan_says_how_its_screenshots_are_made() -> None:
    assert "python docs/teaching/make_screenshots.py" in text()
    assert SCRIPT.is_file()


def test_the_screenshot_script_answers_help() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "--out" in done.stdout and "--port" in done.stdout
    assert done.stderr == ""
