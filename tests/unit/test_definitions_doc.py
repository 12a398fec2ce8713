"""The Definitions page's split of docs/metrics.md: plain part open, implementation notes folded."""

from __future__ import annotations

from ui.definitions_doc import example_blocks, split_definitions

NEW_STYLE = """# Metric definitions

Intro for everyone. Second sentence.

### Implementation notes

Config lives in `metrics.toml`.

```toml
## not a heading inside a fence
[readiness]
```

## Readiness

How close a person is to a role. More words.

### Worked example: Tomás

Tomás: 0.71.

### Readiness by role

Per role.

### Implementation notes

*Code: `metrics/readiness.py`.*

#### Edge cases

A role without requirements.

## Bench strength

Who can step in.
"""

OLD_STYLE = """## Progression equity

*Code: `metrics/equity.py` — `promotion_equity(...)`,
`equity_result(...)`.*

Were people promoted at comparable rates? More.

### Pipeline equity

Readiness a year back.

### Parameters

| parameter | default |
|---|---|
| min group | 10 |

### Worked example

Group A: 3 of 10.
"""


def _headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def test_preamble_and_families_in_order():
    pre, readiness, bench = split_definitions(NEW_STYLE)
    assert (pre.title, readiness.title, bench.title) == ("", "Readiness", "Bench strength")
    assert (readiness.anchor, bench.anchor) == ("readiness", "bench-strength")
    assert pre.plain == "# Metric definitions\n\nIntro for everyone. Second sentence."
    # the fenced "## " line neither starts a family nor leaves the notes
    assert pre.notes == "Config lives in `metrics.toml`.\n\n```toml\n## not a heading inside a fence\n[readiness]\n```"


def test_notes_keep_their_sub_headings_and_drop_the_announcing_heading():
    _, readiness, bench = split_definitions(NEW_STYLE)
    assert _headings(readiness.plain) == ["## Readiness", "### Worked example: Tomás", "### Readiness by role"]
    assert readiness.notes == "*Code: `metrics/readiness.py`.*\n\n#### Edge cases\n\nA role without requirements."
    assert bench.plain == "## Bench strength\n\nWho can step in."
    assert bench.notes == ""


def test_summary_is_the_first_sentence_of_the_first_plain_paragraph():
    _, readiness, bench = split_definitions(NEW_STYLE)
    assert readiness.summary == "How close a person is to a role."
    assert bench.summary == "Who can step in."
    (_, equity) = split_definitions(OLD_STYLE)
    assert equity.summary == "Were people promoted at comparable rates?"


def test_old_style_family_folds_its_code_line_and_parameters_but_not_what_follows():
    _, equity = split_definitions(OLD_STYLE)
    assert _headings(equity.plain) == ["## Progression equity", "### Pipeline equity", "### Worked example"]
    assert "Group A: 3 of 10." in equity.plain
    assert equity.notes == (
        "*Code: `metrics/equity.py` — `promotion_equity(...)`,\n`equity_result(...)`.*\n\n"
        "### Parameters\n\n| parameter | default |\n|---|---|\n| min group | 10 |"
    )
    assert "Code:" not in equity.plain and "min group" not in equity.plain


def test_worked_examples_are_boxed_until_the_next_heading_of_their_level():
    _, readiness, _ = split_definitions(NEW_STYLE)
    assert example_blocks(readiness.plain) == (
        (False, "## Readiness\n\nHow close a person is to a role. More words."),
        (True, "### Worked example: Tomás\n\nTomás: 0.71."),
        (False, "### Readiness by role\n\nPer role."),
    )
