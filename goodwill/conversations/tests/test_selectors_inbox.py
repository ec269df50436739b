import pytest
from django.db import connection
from django.db.models import Q

from goodwill.conversations.models import Conversation
from goodwill.conversations.selectors import (
    BUILT_IN_VIEWS,
    conversations_visible_to,
    decode_cursor,
    encode_cursor,
    filters_q,
)
from goodwill.conversations.services import set_tags
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner needs the literal IN list")
@pytest.mark.parametrize(
    ("slug", "index"),
    [
        ("open", "conv_open_recent"),
        ("mine", "conv_open_assignee_recent"),
        ("unassigned", "conv_open_assignee_recent"),
        ("team", "conv_open_team_recent"),
        ("waiting", "conv_open_waiting"),
    ],
)
def test_open_views_read_their_partial_index_without_sorting(agent, slug, index):
    view = BUILT_IN_VIEWS[slug]
    order = {"recent": ["-last_message_at", "-id"], "waiting": ["waiting_since", "id"]}[view.sort]
    queryset = conversations_visible_to(agent).filter(view.where(agent)).order_by(*order)[:51]
    plan = queryset.explain()
    assert index in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner needs the literal IN list")
def test_a_later_page_seeks_into_the_index(agent):
    from goodwill.conversations.selectors import _after

    conversation = make_conversation()
    where = BUILT_IN_VIEWS["open"].where(agent) & _after(
        "recent", [conversation.last_message_at, conversation.pk]
    )
    plan = conversations_visible_to(agent).filter(where).order_by("-last_message_at", "-id")[:51].explain()
    assert "conv_open_recent (last_message_at<?)" in plan
    assert "TEMP B-TREE" not in plan


def test_open_means_every_status_but_solved_and_closed():
    from goodwill.conversations.selectors import CLOSED_STATUS_VALUES

    assert set(Conversation.Status.values) - set(CLOSED_STATUS_VALUES) == set(Conversation.OPEN_STATUSES)


def test_literal_in_refuses_anything_but_simple_constants(agent):
    with pytest.raises(ValueError):
        list(Conversation.objects.filter(status__literal_in=["open'; DROP TABLE x; --"]))
    assert list(Conversation.objects.filter(status__literal_in=["open"])) == []


def test_a_cursor_round_trips_dates_and_numbers(agent):
    conversation = make_conversation()
    values = [conversation.priority, conversation.last_message_at, conversation.pk]
    assert decode_cursor(encode_cursor(values), "priority") == values
    assert decode_cursor(encode_cursor(values), "recent") is None
    assert decode_cursor("%%%", "recent") is None


def test_filters_on_custom_fields_and_assignee_email(agent, teammate):
    from goodwill.conversations.models import CustomField
    from goodwill.conversations.services import set_custom_fields

    CustomField.objects.create(
        key="plan", label="Plan", type=CustomField.Type.CHOICE, choices=["gold", "free"]
    )
    gold = make_conversation(assignee=teammate)
    set_custom_fields(gold, {"plan": "gold"}, by=agent)
    set_tags(gold, ["vip"], by=agent)
    make_conversation(assignee=teammate)
    matching = Conversation.objects.filter(
        filters_q({"custom": {"plan": "gold"}, "assignee": teammate.email, "tag": "VIP"}, agent)
    )
    assert list(matching) == [gold]


def test_my_teams_merges_every_team_in_order_across_pages(agent, support_team, billing_team):
    from goodwill.accounts.services import add_to_team
    from goodwill.conversations.selectors import inbox_page
    from goodwill.conversations.tests.factories import minutes_ago

    add_to_team(agent, billing_team)
    made = [
        make_conversation(team=support_team if minute % 3 else billing_team, at=minutes_ago(minute))
        for minute in range(9)
    ]
    make_conversation()  # no team: not in the view
    view = BUILT_IN_VIEWS["team"]
    collected: list[int] = []
    cursor = ""
    while True:
        page = inbox_page(
            agent, where=view.where(agent), sort="recent", cursor=cursor, size=4, fan_out=view.fan_out(agent)
        )
        collected.extend(row.number for row in page.rows)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert collected == [conversation.number for conversation in made]


def test_other_apps_can_add_a_built_in_view(client, agent):
    from django.urls import reverse

    from goodwill.conversations.selectors import InboxView, register_inbox_view

    urgent = make_conversation()
    Conversation.objects.filter(pk=urgent.pk).update(priority=Conversation.Priority.URGENT)
    make_conversation()
    register_inbox_view(InboxView("urgent", "Urgent", "recent", lambda agent: Q(priority=4)))
    try:
        client.force_login(agent)
        response = client.get(reverse("conversations:inbox"), {"view": "urgent"})
        assert [row.number for row in response.context["page"].rows] == [urgent.number]
        assert "Urgent" in [view.label for view, _count in response.context["views_with_counts"]]
    finally:
        BUILT_IN_VIEWS.pop("urgent")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner needs the literal IN list")
def test_sorting_open_conversations_by_priority_reads_an_index(agent):
    queryset = (
        conversations_visible_to(agent)
        .filter(BUILT_IN_VIEWS["open"].where(agent))
        .order_by("-priority", "-last_message_at", "-id")[:51]
    )
    plan = queryset.explain()
    assert "conv_open_priority" in plan
    assert "TEMP B-TREE" not in plan


def _tagged_page_numbers(agent, filters, sort, size=3):
    from goodwill.conversations.selectors import inbox_page

    collected: list[int] = []
    cursor = ""
    while True:
        page = inbox_page(agent, where=filters_q(filters, agent), sort=sort, cursor=cursor, size=size)
        collected.extend(row.number for row in page.rows)
        if not page.next_cursor:
            return collected
        cursor = page.next_cursor


@pytest.mark.parametrize("cost", [1e9, 1e-9], ids=["common tag: index walk", "rare tag: read its links"])
@pytest.mark.parametrize("sort", ["recent", "oldest", "created", "priority"])
def test_a_tag_filter_pages_through_exactly_the_tagged_conversations(agent, monkeypatch, cost, sort):
    from goodwill.conversations import selectors
    from goodwill.conversations.tests.factories import minutes_ago

    monkeypatch.setattr(selectors, "DRIVE_ROW_IN_WALK_STEPS", cost)
    made = [make_conversation(at=minutes_ago(minute)) for minute in range(8)]
    tagged = [conversation for index, conversation in enumerate(made) if index % 3 != 1]
    for conversation in tagged:
        set_tags(conversation, ["vip", "b2b"] if conversation.pk % 2 else ["vip"], by=agent)
    set_tags(made[1], ["b2b"], by=agent)
    expected = {
        "recent": [c.number for c in tagged],
        "oldest": [c.number for c in reversed(tagged)],
        "created": [c.number for c in sorted(tagged, key=lambda c: (c.created_at, c.pk), reverse=True)],
        "priority": [c.number for c in tagged],  # all the same priority: latest activity first
    }[sort]
    assert _tagged_page_numbers(agent, {"tag": " VIP "}, sort) == expected


def test_a_tag_filter_combines_with_other_filters_and_an_unknown_tag_matches_nothing(agent, teammate):
    mine = make_conversation(assignee=agent)
    theirs = make_conversation(assignee=teammate)
    for conversation in (mine, theirs):
        set_tags(conversation, ["vip"], by=agent)
    assert _tagged_page_numbers(agent, {"tag": "vip", "assignee": "me"}, "recent") == [mine.number]
    assert _tagged_page_numbers(agent, {"tag": "no-such-tag"}, "recent") == []
    assert list(Conversation.objects.filter(filters_q({"tag": "vip"}, agent)).order_by("pk")) == [
        mine,
        theirs,
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text")
@pytest.mark.parametrize(
    ("sort", "index"),
    [("recent", "conv_all_recent"), ("priority", "conv_all_priority")],
)
def test_a_common_tag_walks_an_index_in_sort_order_and_a_rare_one_reads_its_links(
    agent, monkeypatch, sort, index
):
    """A common tag must not make SQLite read every tagged conversation and sort them.

    These indexes come from RunSQL migrations (0005, 0006): a table-remaking migration
    would silently drop them, and this test notices.
    """
    from goodwill.conversations import selectors

    make_conversation()
    set_tags(make_conversation(), ["vip"], by=agent)

    def plan() -> str:
        where = selectors._tag_terms_for_sort(filters_q({"tag": "vip"}, agent), sort)
        queryset = conversations_visible_to(agent).filter(where)
        if sort in selectors.SORT_NEEDS:
            queryset = queryset.filter(selectors.SORT_NEEDS[sort])
        order = [f"-{field}" if descending else field for field, descending in selectors.SORTS[sort]]
        return queryset.order_by(*order)[:51].explain()

    monkeypatch.setattr(selectors, "DRIVE_ROW_IN_WALK_STEPS", 1e9)  # every tag is common
    walk = plan()
    assert index in walk
    assert "TEMP B-TREE" not in walk
    monkeypatch.setattr(selectors, "DRIVE_ROW_IN_WALK_STEPS", 1e-9)  # every tag is rare
    read_links = plan()
    assert "tag_id=?" in read_links
    assert index not in read_links


def test_filters_by_assignee_or_several_statuses_page_in_order(agent, teammate):
    from goodwill.conversations.services import change_status
    from goodwill.conversations.tests.factories import minutes_ago

    made = [
        make_conversation(assignee=agent if minute % 4 else teammate, at=minutes_ago(minute))
        for minute in range(10)
    ]
    for index, conversation in enumerate(made):
        if index % 3 == 0:
            change_status(conversation, Conversation.Status.PENDING, by=agent)
        elif index % 3 == 1:
            change_status(conversation, Conversation.Status.SOLVED, by=agent)
        if index % 2:
            set_tags(conversation, ["vip"], by=agent)
    made = [Conversation.objects.get(pk=conversation.pk) for conversation in made]
    newest_first = sorted(made, key=lambda c: (c.last_message_at, c.pk), reverse=True)

    mine = [c.number for c in newest_first if c.assignee_id == agent.pk]
    assert _tagged_page_numbers(agent, {"assignee": "me"}, "recent") == mine
    assert _tagged_page_numbers(agent, {"assignee": "me"}, "oldest") == mine[::-1]
    waiting_or_solved = [c.number for c in newest_first if c.status in ("pending", "solved")]
    assert _tagged_page_numbers(agent, {"status": ["pending", "solved"]}, "recent") == waiting_or_solved
    tagged_mine = [
        c.number
        for c in newest_first
        if c.assignee_id == agent.pk and made.index(c) % 2 and c.status in ("new", "pending", "solved")
    ]
    assert (
        _tagged_page_numbers(
            agent, {"assignee": "me", "tag": "vip", "status": ["new", "pending", "solved"]}, "recent"
        )
        == tagged_mine
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite needs a range per status")
def test_sqlite_reads_one_index_range_per_status_for_assignee_team_and_status_lists(agent):
    from goodwill.conversations.selectors import _status_fan_out

    every_status = ("status", list(Conversation.Status.values))
    assert _status_fan_out(filters_q({"assignee": "me"}, agent), "recent") == every_status
    assert _status_fan_out(filters_q({"team": "none", "tag": "x"}, agent), "oldest") == every_status
    assert _status_fan_out(filters_q({"status": ["open", "new"]}, agent), "recent") == (
        "status",
        ["open", "new"],
    )
    assert _status_fan_out(filters_q({"status": ["open"], "assignee": "me"}, agent), "recent") is None
    assert _status_fan_out(filters_q({"assignee": "me"}, agent), "priority") is None
    assert _status_fan_out(filters_q({"channel": ["phone"]}, agent), "recent") is None
    for view in BUILT_IN_VIEWS.values():
        assert _status_fan_out(view.where(agent), view.sort) is None


def test_a_saved_view_with_a_rare_tag_is_counted_from_the_tag_links(agent):
    from goodwill.conversations.counts import saved_view_counts
    from goodwill.conversations.models import SavedView
    from goodwill.conversations.selectors import _tag_terms_for_sort

    for _ in range(3):
        make_conversation()
    set_tags(make_conversation(), ["rare"], by=agent)
    view = SavedView.objects.create(owner=agent, name="Rare", filters={"tag": "rare"})
    assert saved_view_counts(agent, [view]) == {view.pk: "1"}
    if connection.vendor == "sqlite":
        where = _tag_terms_for_sort(filters_q({"tag": "rare"}, agent), None)
        plan = conversations_visible_to(agent).filter(where)[:1000].explain()
        assert "tag_id=?" in plan
        assert "SCAN conversations_conversation" not in plan
