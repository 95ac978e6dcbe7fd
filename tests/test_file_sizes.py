"""Small modules (issue 9): no source file over 600 lines outside migrations and the translation
catalogues. A file that grows past it is split by topic before it lands — the list below says
which one and by how much."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 600
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js", ".css", ".md", ".toml", ".yml", ".yaml", ".cfg"}
EXEMPT_PARTS = {"migrations", "locale"}


def tracked_sources() -> list[Path]:
    """The project's own files: the tree without what is installed, generated or vendored."""
    skipped = EXEMPT_PARTS | {".git", ".venv", ".tools", "node_modules", "staticfiles", "media", "htmlcov"}
    return [
        path
        for path in ROOT.rglob("*")
        if path.suffix in SOURCE_SUFFIXES
        and path.is_file()
        and not skipped & set(path.relative_to(ROOT).parts)
        and not any(part.startswith(".") and part != ".ci" for part in path.relative_to(ROOT).parts[:-1])
    ]


def test_the_sources_are_found():
    assert any(path.name == "settings.py" for path in tracked_sources())


def test_no_source_file_is_over_600_lines():
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in tracked_sources()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}, f"split these by topic (limit {LIMIT} lines): {too_long}"
