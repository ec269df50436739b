from datetime import date

import pytest

from goodwill.memory.rules import find_date, suggest_category

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("My daughter Lucy starts university", "family"),
        ("My daughter Lucy gets married on 12 May", "date"),
        ("her wife is a nurse", "family"),
        ("Her daughter's wedding was on 12 May", "date"),
        ("birthday on March 3rd", "date"),
        ("back on 2027-01-15 from the trip", "date"),
        ("She prefers dark roast coffee", "likes"),
        ("Loves the blue edition", "likes"),
        ("I'm hard of hearing, please write", "accessibility"),
        ("He uses a wheelchair", "accessibility"),
        ("I use a screen reader", "accessibility"),
        ("Hates being put on hold", "dislikes"),
        ("please don't call before noon", "communication"),
        ("Plays golf every Sunday", "interests"),
        ("Account number ends in 4411", "other"),
    ],
)
def test_it_suggests_a_category_from_simple_cues(text, category):
    assert suggest_category(text, today=TODAY) == category


def test_it_reads_dates_in_the_common_forms():
    assert find_date("the wedding is on 12 May", today=TODAY) == date(2027, 5, 12)
    assert find_date("born December 24th", today=TODAY) == date(2026, 12, 24)
    assert find_date("on 3 March 2024", today=TODAY) == date(2024, 3, 3)
    assert find_date("2027-01-15", today=TODAY) == date(2027, 1, 15)
    assert find_date("31 February", today=TODAY) is None
    assert find_date("no date here", today=TODAY) is None
