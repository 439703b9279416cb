"""Imports check and write with Python's cyclic garbage collector paused, and leave it running as it was."""

import gc

import pytest

from forum_crm.imports.collector import without_cycle_collection
from forum_crm.imports.plan_attendance import plan_attendance
from forum_crm.imports.plan_organisations import plan_organisations
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.services import import_attendance, import_organisations, import_people


@without_cycle_collection
def collector_running(fail: bool = False) -> bool:
    if fail:
        raise ValueError("refused")
    return gc.isenabled()


def test_the_collector_is_paused_inside_and_running_again_after():
    assert gc.isenabled()
    assert collector_running() is False
    assert gc.isenabled()
    with pytest.raises(ValueError):
        collector_running(fail=True)
    assert gc.isenabled()


def test_a_collector_paused_already_stays_paused():
    gc.disable()
    try:
        assert collector_running() is False
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("step", [plan_people, plan_organisations, plan_attendance,
                                  import_people, import_organisations, import_attendance])
def test_every_import_checks_and_writes_with_the_collector_paused(step):
    assert step.__wrapped__ is not None and step.__code__ is without_cycle_collection(lambda: None).__code__
