"""The demo plan: the seed city's size, realistic people, valid synthetic identifiers, a
plausible grade mix, and the same plan for the same seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from domain.grades import Grade
from domain.idnumber import birth_date, is_female, normalize_id_number
from domain.masking import COMPOUND_SURNAMES, normalize_phone
from storage.demo import (
    POST_TITLES,
    TOTAL_POSTS,
    WORKERS_ON_DUTY,
    build_demo_plan,
    demo_identity,
    demo_plan,
)


@pytest.fixture(scope="module")
def plan():
    return build_demo_plan(2026)


def test_the_size_of_the_seed_city(plan):
    assert (TOTAL_POSTS, WORKERS_ON_DUTY) == (2683, 2349)
    assert len(plan.units) == len({unit.name for unit in plan.units}) == 26
    assert len(plan.posts) == sum(unit.posts for unit in plan.units) == 2683
    assert len(plan.people) == 2349
    assert sum(1 for post in plan.posts if post.holder is None) == 334
    per_unit = Counter(post.unit for post in plan.posts)
    assert [per_unit[i] for i in range(26)] == [unit.posts for unit in plan.units]


def test_posts_are_spread_unevenly_and_street_cleaning_is_biggest(plan):
    sizes = sorted(unit.posts for unit in plan.units)
    assert sizes[-1] >= 10 * sizes[0]
    biggest = max(plan.units, key=lambda unit: unit.posts)
    assert "城市管理" in biggest.name or "环境卫生" in biggest.name
    titles = Counter(post.title for post in plan.posts)
    assert set(titles) == set(POST_TITLES)
    assert titles.most_common(1)[0][0] == "环卫"


def test_every_unit_has_workers_and_each_holder_is_one_person(plan):
    holders = [post.holder for post in plan.posts if post.holder is not None]
    assert sorted(holders) == list(range(len(plan.people)))
    assert {post.unit for post in plan.posts if post.holder is not None} == set(range(26))
    for post in plan.posts:
        if post.holder is not None:
            person = plan.people[post.holder]
            assert (person.unit, person.post_title) == (post.unit, post.title)


def test_id_numbers_are_valid_unique_and_of_working_age(plan):
    numbers = [person.id_number for person in plan.people]
    assert len(set(numbers)) == len(numbers)
    for person in plan.people:
        assert normalize_id_number(person.id_number, today=date(2026, 12, 1)) == person.id_number
        assert 1966 <= birth_date(person.id_number).year <= 2004
        assert is_female(person.id_number) == person.female
    regions = Counter(number[:6] for number in numbers)
    assert regions.most_common(1)[0][0] == "652701"


def test_phones_are_mainland_mobiles_and_unique(plan):
    phones = [person.phone for person in plan.people]
    assert len(set(phones)) == len(phones)
    assert all(normalize_phone(phone) == phone for phone in phones)


def test_names_look_real(plan):
    names = [person.name for person in plan.people]
    dotted = [name for name in names if "·" in name]
    compound = [name for name in names if name[:2] in COMPOUND_SURNAMES]
    assert 10 <= len(dotted) <= len(names) * 0.06
    assert all(len(name.split("·")) == 2 and all(name.split("·")) for name in dotted)
    assert compound
    han = [name for name in names if "·" not in name]
    assert all(2 <= len(name) <= 4 and " " not in name for name in han)
    surnames = Counter(name[0] for name in han)
    assert {"王", "李", "张"} <= {surname for surname, _ in surnames.most_common(6)}
    assert len(set(names)) > len(names) * 0.6


@pytest.mark.parametrize("which", ["current", "previous"])
def test_grade_mix_is_plausible(plan, which):
    results = getattr(plan, which)
    share = {grade: n / len(results) for grade, n in Counter(r.grade for r in results).items()}
    assert 0.83 <= share[Grade.PASS] <= 0.93
    assert 0.05 <= share[Grade.BASIC] <= 0.11
    assert 0.02 <= share[Grade.FAIL] <= 0.06


@pytest.mark.parametrize("which", ["current", "previous"])
def test_renewal_follows_the_grade(plan, which):
    results = getattr(plan, which)
    assert not [r for r in results if r.grade is Grade.FAIL and r.renew]
    assert all(r.remark for r in results if r.grade is Grade.FAIL)
    passed = [r.renew for r in results if r.grade is Grade.PASS]
    assert 0.95 <= sum(passed) / len(passed) < 1
    basic = [r.renew for r in results if r.grade is Grade.BASIC]
    assert sum(basic) / len(basic) >= 0.8
    assert 0.01 <= sum(1 for r in results if r.remark) / len(results) <= 0.25


def test_previous_cycle_covers_most_workers_and_two_fails_show(plan):
    assert 0.85 * len(plan.people) <= len(plan.previous) < len(plan.people)
    assert len({r.person for r in plan.previous}) == len(plan.previous)
    failed_before = {r.person for r in plan.previous if r.grade is Grade.FAIL}
    twice = [r for r in plan.current if r.grade is Grade.FAIL and r.person in failed_before]
    assert len(twice) == plan.two_fails() >= 10


def test_same_seed_same_plan_whatever_the_global_random_state():
    random.seed(1)
    first = build_demo_plan(2026)
    random.seed(2)
    second = build_demo_plan(2026)
    assert first is not second
    assert first == second


def test_another_seed_another_city(plan):
    other = build_demo_plan(7)
    assert [p.name for p in other.people] != [p.name for p in plan.people]
    shared = {p.id_number for p in other.people} & {p.id_number for p in plan.people}
    assert len(shared) < 10
    assert [u.name for u in other.units] == [u.name for u in plan.units]
    assert len(other.people) == len(plan.people)


def test_demo_identity_gives_a_workers_clear_identifiers(plan):
    for index in (0, 1234, len(plan.people) - 1):
        person = plan.people[index]
        assert demo_identity(2026, index) == (person.name, person.id_number, person.phone)
    assert demo_plan(2026) is demo_plan(2026)
    assert demo_identity(7, 0) != demo_identity(2026, 0)
