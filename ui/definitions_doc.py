"""Split docs/metrics.md into what a committee reads and what a maintainer reads.

Each ``## `` heading starts a metric family. Within a family, a ``### Implementation
notes`` section (or, in a family written before that convention, a ``Parameters``,
``Edge cases``, ``How it is computed``, ``Output`` or ``Code`` section, and a
paragraph that opens with ``*Code:``) belongs to the maintainer's notes, which the
Definitions page folds into an expander; everything else is the plain part, shown
open. A notes section runs until the next heading of its level or above that is not
itself a notes heading. The text before the first ``## `` is the page's preamble,
split the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ui.components import definition_url

#: Headings (level 3 and below) whose section is implementation detail.
NOTES_HEADINGS = re.compile(
    r"^(implementation notes|parameters|edge cases|how it is computed|output|code)\b", re.IGNORECASE
)
#: The heading that only announces the notes; the expander's label replaces it.
NOTES_TITLE = "implementation notes"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE = re.compile(r"^(.+?[.?!])(?:\s|$)", re.DOTALL)


@dataclass(frozen=True)
class DocSection:
    """One metric family of the definitions document (or its preamble).

    Attributes
    ----------
    title : str
        The ``## `` heading's text; empty for the preamble.
    anchor : str
        The heading's URL fragment, as ``ui.components.definition_url`` makes it.
    summary : str
        The first sentence of the first plain paragraph (markdown kept).
    plain : str
        Markdown shown open: the heading, the plain explanation, the worked example.
    notes : str
        Markdown for maintainers (implementation notes), empty when there are none.
    """

    title: str
    anchor: str
    summary: str
    plain: str
    notes: str


def slug(heading: str) -> str:
    """The URL fragment of a heading, as definition links build it.

    Example
    -------
    >>> slug("Readiness by role")
    'readiness-by-role'
    """
    return definition_url(heading).split("#", 1)[1]


def _summary(plain_lines: list[str]) -> str:
    paragraph: list[str] = []
    in_fence = False
    for line in plain_lines:
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        stripped = line.strip()
        if in_fence or _HEADING.match(line) or stripped.startswith(("|", "-", ">", "*Code:")):
            if paragraph:
                break
            continue
        if not stripped:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    text = " ".join(paragraph)
    match = _SENTENCE.match(text)
    return match.group(1) if match else text


def _split_section(lines: list[str]) -> tuple[list[str], list[str]]:
    """Plain lines and notes lines of one section (its own heading stays plain)."""
    plain: list[str] = []
    notes: list[str] = []
    notes_level = 0  # level of the open notes heading, 0 when in the plain part
    in_fence = False
    in_code_paragraph = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) >= 3:
            level, text = len(heading.group(1)), heading.group(2)
            in_code_paragraph = False
            if NOTES_HEADINGS.match(text):
                notes_level = level if not notes_level else min(notes_level, level)
                if text.strip().lower() != NOTES_TITLE:
                    notes.append(line)
                continue
            if notes_level and level <= notes_level:
                notes_level = 0
        if notes_level:
            notes.append(line)
            continue
        if not in_fence and line.startswith("*Code:") and (not plain or not plain[-1].strip()):
            in_code_paragraph = True
        if in_code_paragraph:
            notes.append(line)
            if not line.strip():
                in_code_paragraph = False
            continue
        plain.append(line)
    return plain, notes


#: Headings whose section the page draws as a boxed example.
EXAMPLE_HEADINGS = re.compile(r"^worked example\b", re.IGNORECASE)


def example_blocks(markdown: str) -> tuple[tuple[bool, str], ...]:
    """Cut a plain part into runs of text, marking the worked examples (to draw in a box).

    A worked example runs from a heading starting "Worked example" to the next heading
    of its level or above.

    Example
    -------
    >>> md = "## Bench\\n\\nPlain.\\n\\n### Worked example: Lead\\n\\n1 of 2.\\n\\n#### Step\\n\\nx\\n\\n### Rule\\n\\nr"
    >>> [(boxed, text.splitlines()[0]) for boxed, text in example_blocks(md)]
    [(False, '## Bench'), (True, '### Worked example: Lead'), (False, '### Rule')]
    """
    blocks: list[tuple[bool, list[str]]] = [(False, [])]
    level = 0  # level of the open example heading, 0 outside an example
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            depth, text = len(heading.group(1)), heading.group(2)
            if EXAMPLE_HEADINGS.match(text):
                level = depth
                blocks.append((True, []))
            elif level and depth <= level:
                level = 0
                blocks.append((False, []))
        blocks[-1][1].append(line)
    return tuple((boxed, _tidy(lines)) for boxed, lines in blocks if _tidy(lines))


def _tidy(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_definitions(text: str) -> tuple[DocSection, ...]:
    """The preamble and each ``## `` family of a definitions document, plain part and notes apart.

    Parameters
    ----------
    text : str
        Markdown of docs/metrics.md.

    Returns
    -------
    tuple of DocSection
        The preamble first (title ``""``), then one section per ``## `` heading, in order.

    Example
    -------
    >>> doc = "# Defs\\n\\nIntro.\\n\\n## Bench strength\\n\\n*Code: `x`.*\\n\\nWho can step in. More.\\n\\n"
    >>> doc += "### Worked example\\n\\nLead: 1 of 2.\\n\\n### Implementation notes\\n\\nKey `b.k`.\\n\\n"
    >>> doc += "#### Edge cases\\n\\nNone.\\n\\n### Readiness by role\\n\\nPer role."
    >>> pre, bench = split_definitions(doc)
    >>> bench.title, bench.anchor, bench.summary
    ('Bench strength', 'bench-strength', 'Who can step in.')
    >>> [line for line in bench.plain.splitlines() if line.startswith("#")]
    ['## Bench strength', '### Worked example', '### Readiness by role']
    >>> bench.notes.splitlines()
    ['*Code: `x`.*', '', 'Key `b.k`.', '', '#### Edge cases', '', 'None.']
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            sections.append((heading.group(2), []))
        sections[-1][1].append(line)
    out = []
    for title, lines in sections:
        plain, notes = _split_section(lines)
        out.append(DocSection(title, slug(title), _summary(plain), _tidy(plain), _tidy(notes)))
    return tuple(out)
