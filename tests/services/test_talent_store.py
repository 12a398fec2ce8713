"""Nominations and talent pools in the product's own store, on SQLite and the real servers
(PostgreSQL, MariaDB: a schema/database of its own per test; skipped when absent unless
REQUIRE_SERVICES=1): who and when are kept, bad input is refused with one clear sentence,
two committee members saving at once both keep their work, and everything survives a restart."""

from __future__ import annotations

import datetime as dt
import threading

import polars as pl
import pytest
import sqlalchemy as sa

from data_sources.talent_store import (
    ERR_JUDGEMENT,
    ERR_UNKNOWN_EMPLOYEE,
    ERR_UNKNOWN_ROLE,
    ERR_WHO,
    TalentStoreError,
    add_to_pool,
    create_pool,
    load_nominations,
    load_pool_members,
    load_pools,
    remove_from_pool,
    save_nomination,
    withdraw_nomination,
)

EMPLOYEES = pl.DataFrame({"employee_id": [f"E{i}" for i in range(1, 41)]})
ROLES = pl.DataFrame({"role_id": ["FIN-4", "OPS-3"]})
WHEN = dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def engine(database_url):
    eng = sa.create_engine(database_url)
    yield eng
    eng.dispose()


def test_a_nomination_keeps_who_and_when(engine):
    nid = save_nomination(
        engine,
        EMPLOYEES,
        ROLES,
        role_id="FIN-4",
        employee_id="E7",
        judgement="Ready in 1–2 years",
        note="  ran the audit  ",
        nominated_by="Ana Costa",
        now=WHEN,
    )
    rows = load_nominations(engine)
    assert rows.select("nomination_id", "role_id", "employee_id", "judgement", "note", "nominated_by").rows() == [
        (nid, "FIN-4", "E7", "ready_1_2_years", "ran the audit", "Ana Costa")
    ]
    assert rows["nominated_at"].to_list() == [WHEN]
    assert rows.schema["nominated_at"] == pl.Datetime("us", "UTC")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"employee_id": "E999"}, ERR_UNKNOWN_EMPLOYEE.format(employee_id="E999")),
        ({"role_id": "CEO-1"}, ERR_UNKNOWN_ROLE.format(role_id="CEO-1")),
        (
            {"judgement": "soon"},
            ERR_JUDGEMENT.format(value="soon", allowed="ready_now, ready_1_2_years, ready_3_plus_years"),
        ),
        ({"nominated_by": "  "}, ERR_WHO),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(engine, change, message):
    args = {
        "role_id": "FIN-4",
        "employee_id": "E1",
        "judgement": "ready_now",
        "note": "",
        "nominated_by": "Ana",
        **change,
    }
    with pytest.raises(TalentStoreError) as err:
        save_nomination(engine, EMPLOYEES, ROLES, **args)
    assert str(err.value) == message
    assert load_nominations(engine).height == 0


def test_a_note_too_long_is_refused(engine):
    with pytest.raises(TalentStoreError, match="2,001 characters long; keep it under 2,000"):
        save_nomination(
            engine,
            EMPLOYEES,
            ROLES,
            role_id="FIN-4",
            employee_id="E1",
            judgement="ready_now",
            note="x" * 2001,
            nominated_by="Ana",
        )


def test_withdrawn_nominations_keep_their_row(engine):
    nid = save_nomination(
        engine, EMPLOYEES, ROLES, role_id="OPS-3", employee_id="E2", judgement="ready_now", note="", nominated_by="Bo"
    )
    withdraw_nomination(engine, nid, "Cy", now=WHEN)
    assert load_nominations(engine).height == 0
    kept = load_nominations(engine, include_withdrawn=True)
    assert kept.select("nomination_id", "withdrawn_by").rows() == [(nid, "Cy")]
    assert kept["withdrawn_at"].to_list() == [WHEN]
    with pytest.raises(TalentStoreError, match=f"Nomination {nid} was already withdrawn by Cy"):
        withdraw_nomination(engine, nid, "Di")


def test_pools_group_people_and_removal_keeps_the_row(engine):
    pool = create_pool(engine, "Future finance leaders", "FIN-4 and FIN-5 pipeline", "Ana")
    assert create_pool(engine, "Future finance leaders", "", "Bo") == pool  # same name: the same pool
    m1 = add_to_pool(engine, EMPLOYEES, pool_id=pool, employee_id="E3", added_by="Ana", note="strong close")
    add_to_pool(engine, EMPLOYEES, pool_id=pool, employee_id="E4", added_by="Bo")
    remove_from_pool(engine, m1, "Cy")
    assert load_pools(engine).select("pool_id", "name", "created_by").rows() == [
        (pool, "Future finance leaders", "Ana")
    ]
    assert load_pool_members(engine).select("employee_id", "added_by", "pool_name").rows() == [
        ("E4", "Bo", "Future finance leaders")
    ]
    assert load_pool_members(engine, include_removed=True).height == 2
    with pytest.raises(TalentStoreError, match="Unknown talent pool 999"):
        add_to_pool(engine, EMPLOYEES, pool_id=999, employee_id="E3", added_by="Ana")
    with pytest.raises(TalentStoreError, match="Unknown employee 'E0'"):
        add_to_pool(engine, EMPLOYEES, pool_id=pool, employee_id="E0", added_by="Ana")


def test_two_committee_members_saving_at_once_both_keep_their_work(engine):
    per_member = 15
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    pool_ids: list[int] = []

    def member(name: str, offset: int) -> None:
        try:
            start.wait()
            pool_ids.append(create_pool(engine, "Ops successors", "", name))
            for i in range(per_member):
                save_nomination(
                    engine,
                    EMPLOYEES,
                    ROLES,
                    role_id="OPS-3",
                    employee_id=f"E{offset + i}",
                    judgement="ready_now",
                    note=f"{name} #{i}",
                    nominated_by=name,
                )
                add_to_pool(engine, EMPLOYEES, pool_id=pool_ids[-1], employee_id=f"E{offset + i}", added_by=name)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=member, args=("Ana", 1)), threading.Thread(target=member, args=("Bo", 21))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    saved = load_nominations(engine)
    assert saved.height == 2 * per_member
    assert saved.group_by("nominated_by").len().sort("nominated_by").rows() == [("Ana", per_member), ("Bo", per_member)]
    assert len(set(pool_ids)) == 1 and load_pools(engine).height == 1
    assert load_pool_members(engine).height == 2 * per_member


def test_everything_survives_a_restart(database_url):
    first = sa.create_engine(database_url)
    nid = save_nomination(
        first,
        EMPLOYEES,
        ROLES,
        role_id="FIN-4",
        employee_id="E9",
        judgement="ready_3_plus_years",
        note="n",
        nominated_by="Ana",
    )
    pool = create_pool(first, "Pool A", "", "Ana")
    add_to_pool(first, EMPLOYEES, pool_id=pool, employee_id="E9", added_by="Ana")
    first.dispose()
    second = sa.create_engine(database_url)  # a new process would open a new engine on the same URL
    try:
        assert load_nominations(second).select("nomination_id", "employee_id", "judgement").rows() == [
            (nid, "E9", "ready_3_plus_years")
        ]
        assert load_pool_members(second).select("employee_id", "pool_name").rows() == [("E9", "Pool A")]
    finally:
        second.dispose()
