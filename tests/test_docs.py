"""The documentation site (docs/, mkdocs.yml): its generated reference pages are current, every
relative link of every page points to a file that exists and, with an anchor, to one of its headings,
and the guides' quoted outputs are what the commands print on the bundled data."""

import re
import shlex
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.engine.upgrade import CHANGES
from assess.render.reference import reference_pages

REPO = Path(__file__).parent.parent
DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@pytest.mark.parametrize("name", ["cli.md", "formats.md"])
def test_the_generated_reference_is_current(name: str):
    """docs/reference/ is what assess.render.reference makes of the command line and the models today;
    on a failure, write them again (the command is in assess/render/reference.py's docstring)."""
    expected = reference_pages(main)[name]
    assert (DOCS / "reference" / name).read_text(encoding="utf-8") == expected, (
        f"docs/reference/{name} is stale: python -c \"from assess.cli import main; "
        "from assess.render.reference import write; write(main, 'docs/reference')\"")


def test_the_cli_reference_names_every_command_and_option():
    text = reference_pages(main)["cli.md"]
    for name, command in main.commands.items():
        assert f"### `assess {name}`" in text
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert f"`{opt}`" in text


def slug(heading: str) -> str:
    """The anchor Python-Markdown's table of contents (MkDocs) gives a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"<[^>]+>", "", text.replace("`", "").replace("*", ""))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def without_code_blocks(text: str) -> str:
    """The page without fenced code blocks (a "# comment" or a link there is neither)."""
    return re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.S | re.M)


def without_code(text: str) -> str:
    """The page without fenced code blocks and inline code (links there are not links)."""
    return re.sub(r"`[^`\n]*`", "", without_code_blocks(text))


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in without_code_blocks(page.read_text(encoding="utf-8")).splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            base = slug(heading.group(1))
            name, count = base, 0
            while name in found:  # a repeated heading gets _1, _2, ...
                count += 1
                name = f"{base}_{count}"
            found.add(name)
    return found


def links(page: Path) -> list[str]:
    return LINK.findall(without_code(page.read_text(encoding="utf-8")))


def test_the_pages_exist_and_link_somewhere():
    names = {page.relative_to(DOCS).as_posix() for page in PAGES}
    assert {"index.md", "guide-planner.md", "guide-reviewer.md", "guide-rule-author.md", "contract.md", "method.md",
            "provenance.md", "reference/cli.md", "reference/formats.md"} <= names
    assert sum(len(links(page)) for page in PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_every_relative_link_points_to_a_file_or_heading(page: Path):
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(REPO) if destination.is_relative_to(REPO) else destination}")
        elif anchor and (destination.suffix != ".md" or anchor not in anchors(destination)):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
        elif destination.is_relative_to(REPO) and not destination.is_relative_to(DOCS):
            broken.append(f"{target}: outside docs/ (the site cannot link it)")
    assert not broken, "\n".join(broken)


def test_the_readme_links_the_guide_and_the_contract():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "PRODUCT.md" not in readme
    assert "(docs/index.md)" in readme and "docs/contract.md" in readme
    for target in re.findall(r"\]\((docs/[^)#\s]+)", readme):
        assert (REPO / target).exists(), target


def test_ci_builds_the_site_strictly_after_the_tests():
    ci = [line.strip() for line in (REPO / ".ci/run").read_text().splitlines()]
    tests = ci.index("python -m pytest")
    assert any(line.startswith("mkdocs build --strict") for line in ci[tests + 1:])


def test_the_changelog_lists_every_format_change():
    """Each change of engine.upgrade.CHANGES is a line of CHANGELOG.md (the reference's table is
    generated from the same table, see above)."""
    changelog = " ".join((REPO / "CHANGELOG.md").read_text(encoding="utf-8").split())
    for change in CHANGES:
        line = f"Format {change.version}, `{change.file}`: {change.what[0].upper() + change.what[1:]}."
        assert line in changelog, f"CHANGELOG.md does not list: {line}"


# The guides quote what commands print on the bundled data. A quote follows the ```sh block of its
# command, or a comment <!-- output of: assess ... --> where the command is named in the prose;
# <!-- illustration: why --> before a quote marks one no command prints as it stands (it needs an
# edit the prose describes). Each quote may leave lines out ("..."), and is wrapped to the page, so
# what is held is its figures: every number it quotes is one the command prints now.
GUIDES = ("guide-planner.md", "guide-rule-author.md", "guide-reviewer.md")
QUOTE = re.compile(r"```(\w*)\n(.*?)```|<!-- (output of|illustration): ?(.*?) -->", re.S)
NUMBER = re.compile(r"\$?\d[\d,.]*\d%?|\$?\d%?")


def _quoted_outputs() -> Iterator[object]:
    for name in GUIDES:
        command = None
        for match in QUOTE.finditer((DOCS / name).read_text(encoding="utf-8")):
            language, body, marker, text = match.groups()
            if marker is not None:
                command = text if marker == "output of" else None
            elif language == "sh":
                command = body.strip().splitlines()[-1]
            elif language == "text" and command is not None:
                yield pytest.param(command, body, id=f"{name}: {command}")
                command = None


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled workspace, copied once for every quote: `run` writes outputs/ where it runs."""
    root = tmp_path_factory.mktemp("bundled")
    for folder in ("rules", "country_profiles", "scenarios"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.mark.parametrize(("command", "quoted"), list(_quoted_outputs()))
def test_a_guide_quotes_what_the_command_prints(command: str, quoted: str, bundled_copy: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(bundled_copy)
    words = shlex.split(command, comments=True)
    assert words[0] == "assess", command
    result = CliRunner().invoke(main, words[1:], env={"COLUMNS": "100"})
    assert result.exit_code in (0, 1) and not isinstance(result.exception, Exception), result.output
    stale = sorted(set(NUMBER.findall(quoted)) - set(NUMBER.findall(result.output)))
    assert not stale, f"figures the guide quotes that `{command}` no longer prints: {stale}"


def test_a_quote_is_found_by_its_sh_block_or_its_comment_and_an_illustration_is_left_out():
    checked = {param.id for param in _quoted_outputs()}  # type: ignore[attr-defined]
    assert {"guide-planner.md: assess run --year 2025", "guide-planner.md: assess explain ALB --year 2025"} <= checked
    assert not any("--rules-old HEAD" in each for each in checked)
