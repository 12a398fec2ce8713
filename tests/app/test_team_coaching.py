"""My team computes its people's gaps and lessons together (``ui.compute.team_coaching``)."""

from __future__ import annotations

import time

import ui.compute
import ui.state
from ui.state import filter_options, load_for_server


def test_team_coaching_equals_the_one_person_calls_it_replaces(cold_caches):
    """The My team page computes gaps and lessons for its people together; each person's part is
    exactly what the one-person functions give (rows, prompts and lessons, in order)."""
    from metrics.access import hierarchy
    from metrics.coaching import coaching_prompts

    bundle = load_for_server()
    as_of = filter_options(bundle).default_as_of
    employees = bundle.tables["employees"]
    manager = sorted(set(employees.get_column("manager_id").drop_nulls().to_list()))[0]
    people = tuple(sorted(hierarchy(employees, manager, as_of) - {manager})[:12])
    assert len(people) == 12
    deadline = time.monotonic() + 180
    while not ui.compute.learning_available(bundle, as_of):  # the fit runs in the background
        assert time.monotonic() < deadline, "the learning-impact fit did not finish"
        time.sleep(0.2)
    coaching = ui.compute.team_coaching(bundle, as_of, people, with_lessons=True)
    proficiency = ui.state.settings_for(bundle).config.proficiency
    lessons_seen = 0
    for person in people:
        alone = ui.compute.person_gaps(bundle, as_of, person)
        together = coaching.gaps_of(person)
        assert together.sort(together.columns).equals(alone.sort(alone.columns))
        assert coaching_prompts(together, proficiency, limit=2) == coaching_prompts(alone, proficiency, limit=2)
        assert coaching.lessons[person].equals(ui.compute.recommended_assets(bundle, as_of, person))
        lessons_seen += coaching.lessons[person].height
    assert lessons_seen > 0
    assert ui.compute.team_coaching(bundle, as_of, people, with_lessons=False).lessons == {}
