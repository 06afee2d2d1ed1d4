"""One reveal.js deck per lecture session, built from tagged cells of the chapters (``make slides``).

    python tools/slides.py [--out _build/slides]

The teaching page (``chapters/teaching.ipynb``) holds a run sheet per session,
each under a label ``(run-SESSION)=``: its learning objectives, a 75-minute
plan (a table of minutes, kind, what happens, and the sections to run or
show), its widget activities and its discussion questions. A chapter cell
tagged ``slide-SESSION`` becomes a slide of that session's deck: a markdown
cell shows its heading and display equations (all of it when it has none), a
code cell its stored outputs (figures with their alt text, and the widgets'
static stand-ins, which stay interactive). Each tagged cell lies in a chapter
section that a row of the plan names; the slide's speaker notes carry that
row's minutes. The session's discussion questions close the deck, with the
answers in the notes.

Each deck is one self-contained HTML file (``<out>/<session>.html``): reveal.js
comes from the ``sphinx-revealjs`` package and MathJax from
``sphinx-mathjax-offline``, both inlined, so a deck opens offline from a USB
stick. Press S for the speaker view, F for full screen.

The same module resolves the references of the teaching page (``{doc}`` links
to chapters, sections and exercises); ``tests/test_teaching.py`` uses it.
"""

import argparse
import dataclasses
import html
import importlib.metadata
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
TEACHING = CHAPTERS / "teaching.ipynb"
TAG_PREFIX = "slide-"
PLAN_MINUTES = 75
PLAN_KINDS = ("talk", "demo", "activity", "discussion")
#: A deck above this size fails the build (1 MB = 1,000,000 bytes of HTML).
MAX_DECK_BYTES = 5_000_000

# {doc}`target` or {doc}`text <target>`
DOC_ROLE = re.compile(r"\{doc\}`(?:([^`<]*?)\s*<)?([^`<>]+)>?`")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
SECTION_NUMBER = re.compile(r"^\d+\.\d+\s+")
EXERCISE = re.compile(r"^\*\*(\d+)\.\s+(.+?)\*\*", re.M)
LABEL = re.compile(r"^\(run-([a-z0-9]+)\)=\s*$", re.M)


def read(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def plain_title(title):
    """A heading or exercise title as the teaching page names it: no ``N.k`` number, no final period."""
    return SECTION_NUMBER.sub("", title.strip()).rstrip(".").strip()


# ---------------------------------------------------------------- the chapters


@dataclasses.dataclass
class Chapter:
    stem: str
    title: str  # "Convolution review" (without "1. ")
    cells: list
    sections: list  # (cell index, level, plain title), in order
    exercises: dict  # plain title -> cell index

    def section_of(self, index):
        """``(h2 title, h3 title or None)`` of the section cell ``index`` lies in."""
        h2 = h3 = None
        for start, level, title in self.sections:
            if start > index:
                break
            if level == 2:
                h2, h3 = title, None
            else:
                h3 = title
        return h2, h3


def chapter(stem):
    """The chapter ``chapters/<stem>.ipynb``: its title, headings and exercises."""
    cells = read(CHAPTERS / f"{stem}.ipynb")["cells"]
    title, sections, exercises = None, [], {}
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        for line in text.splitlines():
            match = re.match(r"^(#{1,3}) (.+)$", line)
            if match and len(match[1]) == 1 and title is None:
                title = re.sub(r"^\d+\.\s+", "", match[2]).strip()
            elif match and len(match[1]) > 1:
                sections.append((index, len(match[1]), plain_title(match[2])))
        for exercise in EXERCISE.finditer(text):
            exercises[plain_title(exercise[2])] = index
    return Chapter(stem, title, cells, sections, exercises)


def chapter_stems():
    return sorted(path.stem for path in CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


def doc_references(text):
    """Every ``{doc}`` reference in ``text``: ``(link text or None, target)``."""
    return [(match[1] or None, match[2].strip()) for match in DOC_ROLE.finditer(text)]


def resolve(text, target):
    """What ``{doc}`text <target>``` names, or a ValueError saying why it names nothing.

    ``target`` is a chapter (``01_convolution``) or another page of the book
    (``/intro``). The link text is the chapter's title, a section title (any
    ``##``/``###`` heading, with or without its ``N.k`` number), or
    ``exercise TITLE`` for the exercise whose prompt starts ``**k. TITLE.**``.
    Returns ``(kind, stem, title)`` with kind "page", "chapter", "section" or "exercise".
    """
    if target.startswith("/"):
        if not any((ROOT / (target.lstrip("/") + suffix)).exists() for suffix in (".md", ".ipynb")):
            raise ValueError(f"{{doc}}`{target}`: no such page")
        return ("page", target, None)
    if not (CHAPTERS / f"{target}.ipynb").exists():
        raise ValueError(f"{{doc}}`{target}`: no chapter chapters/{target}.ipynb")
    found = chapter(target)
    if text is None or plain_title(text) == found.title:
        return ("chapter", target, found.title)
    if text.lower().startswith("exercise "):
        title = plain_title(text[len("exercise ") :])
        if title not in found.exercises:
            raise ValueError(
                f"{target} has no exercise {title!r} (a markdown cell starting **k. {title}.**); "
                f"its exercises: {sorted(found.exercises)}"
            )
        return ("exercise", target, title)
    title = plain_title(text)
    if title not in {name for _, _, name in found.sections}:
        raise ValueError(f"{target} has no section {title!r}; its sections: {[name for _, _, name in found.sections]}")
    return ("section", target, title)


# ---------------------------------------------------------------- the run sheets


@dataclasses.dataclass
class PlanRow:
    start: int
    end: int
    kind: str
    what: str
    show: str  # markdown with {doc} references

    @property
    def minutes(self):
        return f"{self.start}-{self.end}"

    def sections(self):
        """``(stem, title)`` of each chapter or section the row names, in order."""
        return [(target, text and plain_title(text)) for text, target in doc_references(self.show)]


@dataclasses.dataclass
class RunSheet:
    session: str
    title: str
    text: str  # the run sheet's markdown
    objectives: list
    plan: list
    activities: dict  # number -> {"title", "ask", "see"}
    misconceptions: list  # (misconception, refuted by)
    questions: list  # (question, answer)


def table_rows(block):
    """The body rows of the Markdown table in ``block`` (header and separator rows left out), as lists of cells."""
    lines = [line.strip() for line in block.splitlines() if line.strip().startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return [row for row in rows[1:] if not all(set(cell) <= set("-: ") for cell in row)]


def part(text, heading):
    """The markdown of the run-sheet part that starts with the bold ``**heading**`` up to the next one."""
    match = re.search(rf"^\*\*{re.escape(heading)}.*$", text, re.M)
    if not match:
        raise ValueError(f"no part **{heading}...** in the run sheet")
    rest = text[match.end() :]
    following = re.search(r"^\*\*(Learning objectives|Plan|Activity \d+|Misconceptions|Discussion)", rest, re.M)
    return rest[: following.start()] if following else rest


def run_sheets(path=TEACHING):
    """The run sheets of the teaching page, by session."""
    markdown = "\n\n".join(source(cell) for cell in read(path)["cells"] if cell["cell_type"] == "markdown")
    labels = list(LABEL.finditer(markdown))
    sheets = {}
    for number, label in enumerate(labels):
        end = labels[number + 1].start() if number + 1 < len(labels) else len(markdown)
        text = markdown[label.end() : end]
        text = text[: next((m.start() for m in re.finditer(r"^## ", text, re.M)), len(text))]
        session = label[1]
        try:
            title = re.search(r"^### (.+)$", text, re.M)[1].strip()
            objectives = re.findall(r"^- (.+(?:\n  .+)*)", part(text, "Learning objectives"), re.M)
            plan = []
            for row in table_rows(part(text, "Plan")):
                start, end_minute = (int(value) for value in row[0].split("-"))
                plan.append(PlanRow(start, end_minute, row[1], row[2], row[3]))
            activities = {}
            for match in re.finditer(r"^\*\*Activity (\d+): ([\s\S]+?)\*\*", text, re.M):
                body = part(text[match.start() :], f"Activity {match[1]}")
                ask = re.search(r"^\*Ask:\*\s*(.+(?:\n(?!\*).+)*)", body, re.M)
                see = re.search(r"^\*Students should see:\*\s*(.+(?:\n(?!\*).+)*)", body, re.M)
                if not ask or not see:
                    raise ValueError(f"activity {match[1]} needs an *Ask:* and a *Students should see:* paragraph")
                activities[int(match[1])] = {
                    "title": match[2].rstrip("."),
                    "ask": ask[1].strip(),
                    "see": see[1].strip(),
                }
            misconceptions = [tuple(row[:2]) for row in table_rows(part(text, "Misconceptions"))]
            questions = re.findall(
                r"^\d+\. \*\*([\s\S]+?)\*\*\s*(.*(?:\n   .+)*)", part(text, "Discussion questions"), re.M
            )
        except (TypeError, ValueError, IndexError) as error:
            raise ValueError(f"run sheet {session!r} of {path.name}: {error}") from error
        sheets[session] = RunSheet(session, title, text, objectives, plan, activities, misconceptions, questions)
    return sheets


def plan_problems(sheet):
    """What is wrong with a run sheet's plan: gaps, overlaps, a length other than 75 minutes, unknown kinds."""
    problems, minute = [], 0
    for row in sheet.plan:
        if row.start != minute or row.end <= row.start:
            problems.append(f"row {row.minutes} should start at minute {minute} and end after it")
        if row.kind not in PLAN_KINDS:
            problems.append(f"row {row.minutes}: kind {row.kind!r} is not one of {PLAN_KINDS}")
        minute = row.end
    if minute != PLAN_MINUTES:
        problems.append(f"the plan ends at minute {minute}, not {PLAN_MINUTES}")
    return problems


# ---------------------------------------------------------------- markdown and outputs to HTML


def _markdown_renderer():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(dollarmath_plugin, double_inline=True, renderer=_math_html)
    md.use(amsmath_plugin, renderer=lambda content: f'<div class="math">{html.escape(content)}</div>')
    return md


def _math_html(content, options):
    if options.get("display_mode"):
        return f'<div class="math">\\[{html.escape(content)}\\]</div>'
    return f'<span class="math">\\({html.escape(content)}\\)</span>'


def markdown_html(text):
    """``text`` (MyST markdown) as HTML: roles become their text; glued numbers are refused."""

    def role(match):
        name, content = match[1], match[2]
        if name.startswith("glue"):
            raise ValueError(f"a slide cannot show the glued value {content!r}: choose a cell without {{glue}}")
        link = re.match(r"^(.*?)\s*<[^>]+>$", content)
        return link[1] if link else content

    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)  # MyST labels
    return _markdown_renderer().render(ROLE.sub(role, text))


def display_equations(text):
    """The display equations of a markdown cell (``$$...$$`` blocks and LaTeX environments)."""
    return [match[0] for match in re.finditer(r"\$\$.+?\$\$|\\begin\{(\w+\*?)\}.+?\\end\{\1\}", text, re.S)]


def cell_html(cell):
    """A tagged chapter cell as slide content."""
    text = source(cell)
    if cell["cell_type"] == "markdown":
        equations = display_equations(text)
        return markdown_html("\n\n".join(equations) if equations else re.sub(r"^#+ .*$", "", text, flags=re.M))
    alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
    alt = alt or cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption", "")
    parts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        for mime in ("image/png", "image/jpeg"):
            if mime in data:
                payload = "".join(data[mime]).replace("\n", "")
                parts.append(f'<img src="data:{mime};base64,{payload}" alt="{html.escape(alt)}">')
                break
        else:
            if "text/html" in data:
                parts.append(f'<div class="standin">{"".join(data["text/html"])}</div>')
    if not parts:
        raise ValueError(f"a tagged code cell shows no figure and no widget stand-in: {text[:60]!r}")
    return "\n".join(parts)


# ---------------------------------------------------------------- decks


def tagged_cells(session):
    """``[(stem, index, cell), ...]``: the chapter cells tagged ``slide-<session>``, in book order."""
    return [
        (stem, index, cell)
        for stem in chapter_stems()
        for index, cell in enumerate(read(CHAPTERS / f"{stem}.ipynb")["cells"])
        if TAG_PREFIX + session in tags(cell)
    ]


def slides_of(sheet):
    """The deck's slides: ``[(heading, content html, notes html), ...]``; ValueError for a tagged cell no row shows."""
    chapters = {stem: chapter(stem) for stem in chapter_stems()}
    # Each tagged cell goes to the first row naming its ### section, else the first naming its ## section.
    placed = {}
    for stem, index, cell in tagged_cells(sheet.session):
        h2, h3 = chapters[stem].section_of(index)
        named = [number for number, row in enumerate(sheet.plan) if (stem, h3) in row.sections()]
        named = named or [number for number, row in enumerate(sheet.plan) if (stem, h2) in row.sections()]
        if not named:
            raise ValueError(
                f"{stem} cell {index} is tagged {TAG_PREFIX}{sheet.session}, but no row of the run sheet's "
                f"plan names its section {h3 or h2!r}"
            )
        placed.setdefault(named[0], []).append((h3 or h2, cell))
    slides = [
        (sheet.title, '<p class="subtitle">Convolutional Neural Networks, computed</p>', _plan_notes(sheet)),
        ("Learning objectives", markdown_html("\n".join(f"- {item}" for item in sheet.objectives)), ""),
    ]
    for number, row in enumerate(sheet.plan):
        notes = f"<p><b>Minutes {row.minutes} ({row.kind}).</b></p>{markdown_html(row.what)}"
        activity = re.match(r"Activity (\d+)", row.what)
        if activity:
            details = sheet.activities[int(activity[1])]
            notes += markdown_html(f"*Students should see:* {details['see']}")
        if row.what.startswith("Discussion questions"):
            for question, answer in sheet.questions:
                slides.append(("Discuss", markdown_html(f"**{question}**"), notes + markdown_html(answer)))
            continue
        cells = placed.get(number, [])
        if activity:
            ask = markdown_html(f"*Activity {activity[1]}.* {details['ask']}")
            heading = details["title"]
            slides.append((heading, ask + "".join(cell_html(cell) for _, cell in cells), notes))
        elif cells:
            slides.extend((heading, cell_html(cell), notes) for heading, cell in cells)
        else:
            titles = [re.sub(r"^exercise ", "Exercise: ", title) for _, title in row.sections() if title]
            slides.append(("; ".join(titles) or row.kind.capitalize(), markdown_html(row.what), notes))
    return slides


def _plan_notes(sheet):
    rows = "".join(
        f"<tr><td>{row.minutes}</td><td>{row.kind}</td><td>{markdown_html(row.what)}</td></tr>" for row in sheet.plan
    )
    return f"<p><b>The plan ({PLAN_MINUTES} minutes).</b></p><table>{rows}</table>"


def _asset(package, relative):
    """The text of a file shipped by a registry package (reveal.js, MathJax): nothing is downloaded."""
    return pathlib.Path(importlib.metadata.distribution(package).locate_file(relative)).read_text(encoding="utf-8")


def _inline_script(text):
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def deck_html(sheet):
    """One session's deck as a single self-contained HTML page."""
    sections = []
    for heading, content, notes in slides_of(sheet):
        notes_html = f'<aside class="notes">{notes}</aside>' if notes else ""
        sections.append(f"<section><h3>{markdown_html(heading)[3:-5]}</h3>{content}{notes_html}</section>")
    body = "\n".join(sections)
    reveal = ("sphinx-revealjs", "sphinx_revealjs/_static/revealjs/")
    scripts = [_asset(reveal[0], reveal[1] + "dist/reveal.js"), _asset(reveal[0], reveal[1] + "plugin/notes/notes.js")]
    if 'class="math"' in body:
        scripts.insert(0, "window.MathJax = " + json.dumps(MATHJAX_CONFIG) + ";")
        scripts.insert(1, _asset("sphinx-mathjax-offline", "sphinx-mathjax-offline/static/mathjax/tex-svg-full.js"))
    scripts.append((pathlib.Path(__file__).parent / "deck.js").read_text(encoding="utf-8"))
    styles = _asset(reveal[0], reveal[1] + "dist/reveal.css")
    styles += (pathlib.Path(__file__).parent / "deck.css").read_text(encoding="utf-8")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(sheet.title)}</title><style>{styles}</style></head>\n"
        f'<body><div class="reveal"><div class="slides">\n{body}\n</div></div>\n'
        + "\n".join(_inline_script(script) for script in scripts)
        + "</body></html>\n"
    )


#: MathJax typesets the \( \) and \[ \] the slides hold, as SVG (no font files), with no menu.
MATHJAX_CONFIG = {
    "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
    "svg": {"fontCache": "global"},
    "options": {"enableMenu": False},
    "loader": {"load": []},
}


def build(out):
    """Write every session's deck to ``out/<session>.html``; returns the paths."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for session, sheet in run_sheets().items():
        problems = plan_problems(sheet)
        if problems:
            raise ValueError(f"run sheet {session!r}: " + "; ".join(problems))
        page = deck_html(sheet)
        if len(page.encode()) > MAX_DECK_BYTES:
            raise ValueError(f"the {session} deck is {len(page.encode()):,} bytes, over {MAX_DECK_BYTES:,}")
        path = out / f"{session}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "_build" / "slides"))
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
