"""/api/v1/conversations: list, read, open and change conversations."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status
from pydantic import StringConstraints

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import (
    MAX_ID,
    AgentRef,
    CustomerRef,
    Error,
    Id,
    Input,
    JsonObject,
    LongText,
    Moment,
    NeedRef,
    Output,
    Page,
    Str60,
    Str200,
    Str254,
    Str300,
    TeamRef,
)
from goodwill.conversations import services
from goodwill.conversations.models import Conversation
from goodwill.conversations.selectors import (
    conversations_visible_to,
    get_conversation_for,
)
from goodwill.conversations.services.outbound import channel_for
from goodwill.customers.models import Customer
from goodwill.customers.services import find_or_create_customer_by_email

router = Router(tags=["conversations"])

PriorityName = Literal["low", "normal", "high", "urgent"]
PRIORITY_BY_NAME = {choice.name.lower(): choice.value for choice in Conversation.Priority}
NAME_BY_PRIORITY = {value: name for name, value in PRIORITY_BY_NAME.items()}


class ConversationOut(Output):
    number: int
    subject: str
    status: Conversation.Status
    priority: PriorityName
    channel: Conversation.Channel
    customer: CustomerRef
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    need: NeedRef | None
    need_met: Literal["yes", "partly", "no", ""]
    custom_fields: dict[str, Any]
    message_count: int
    merged_into: int | None = Field(None, description="Number of the conversation this one was merged into.")
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    last_inbound_at: datetime | None
    first_response_at: datetime | None
    waiting_since: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None


class ConversationIn(Input):
    customer: Id | None = Field(None, description="Id of an existing customer; or give customer_email.")
    customer_email: Str254 | None = Field(None, description="Found, or created when nobody has it.")
    customer_name: Str200 = Field("", description="Name for a customer created from customer_email.")
    subject: Str300 = ""
    text: Annotated[LongText, StringConstraints(min_length=1)]
    channel: Conversation.Channel = Field(
        Conversation.Channel.API,
        description=(
            'How the customer\'s message came. With first_message_from "agent" it is email when the '
            "customer has an email address, else phone: leave it out (a different one is refused, 422)."
        ),
    )
    priority: PriorityName = "normal"
    team: Id | None = None
    first_message_from: Literal["customer", "agent"] = Field(
        "customer",
        description=(
            '"customer": the text is the customer\'s message, logged by you. "agent": you write first; '
            "the text is sent to the customer like a reply (channel email when they have an address, "
            "else phone), the conversation is assigned to you and pending, and a subject is required."
        ),
    )


class ConversationPatch(Input):
    subject: Str300 | None = None
    status: Conversation.Status | None = None
    priority: PriorityName | None = None
    assignee: Id | None = Field(None, description="Agent id; null unassigns.")
    team: Id | None = Field(None, description="Team id; null removes the team.")
    tags: Annotated[list[Str60], Field(max_length=100)] | None = Field(None, description="Replaces all tags.")
    need: Id | None = Field(None, description="Contact reason id; null clears it.")
    need_met: Literal["yes", "partly", "no", ""] | None = None
    custom_fields: JsonObject | None = Field(
        None, description="Merged into the current values; null clears one."
    )


def agent_ref(agent: Agent | None) -> dict[str, Any] | None:
    if agent is None:
        return None
    return {"id": agent.pk, "name": agent.display_name, "email": agent.email}


def customer_ref(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "name": customer.name, "email": customer.primary_email}


def conversation_out(conversation: Conversation) -> dict[str, Any]:
    team, need = conversation.team, conversation.need
    return {
        "number": conversation.number,
        "subject": conversation.subject,
        "status": conversation.status,
        "priority": NAME_BY_PRIORITY.get(conversation.priority, "normal"),
        "channel": conversation.channel,
        "customer": customer_ref(conversation.customer),
        "assignee": agent_ref(conversation.assignee),
        "team": {"id": team.pk, "name": team.name} if team else None,
        "tags": sorted(tag.name for tag in conversation.tags.all()),
        "need": {"id": need.pk, "name": str(need)} if need else None,
        "need_met": conversation.need_met,
        "custom_fields": conversation.custom_fields or {},
        "message_count": conversation.message_count,
        "merged_into": conversation.merged_into.number if conversation.merged_into else None,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "last_message_at": conversation.last_message_at,
        "last_inbound_at": conversation.last_inbound_at,
        "first_response_at": conversation.first_response_at,
        "waiting_since": conversation.waiting_since,
        "solved_at": conversation.solved_at,
        "closed_at": conversation.closed_at,
    }


def _with_details(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.select_related(
        "customer", "assignee", "team", "need__parent", "merged_into"
    ).prefetch_related("tags", "customer__identities")


def _reload(agent: Agent, number: int) -> dict[str, Any]:
    return conversation_out(_with_details(conversations_visible_to(agent)).get(number=number))


def _team(team_id: int | None) -> Team | None:
    """The team by id; whether the agent may use it is the service's rule (`check_team_for`)."""
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team": "No such team."})
    return team


def _assignee_filter(agent: Agent, value: str) -> Q:
    if value == "me":
        return Q(assignee_id=agent.pk)
    if value == "none":
        return Q(assignee__isnull=True)
    if value.isdigit() and value.isascii() and 1 <= int(value) <= MAX_ID:
        return Q(assignee_id=int(value))
    raise ValidationError({"assignee": 'Give an agent id, "me" or "none".'})


@router.get("", response={200: Page[ConversationOut], 400: Error, 422: Error}, summary="List conversations")
def list_conversations(
    request: HttpRequest,
    status: Annotated[list[Conversation.Status] | None, Query(description="Repeat for several.")] = None,
    assignee: Annotated[Str60 | None, Query(description='Agent id, "me" or "none".')] = None,
    team: Annotated[Id | None, Query(description="Team id.")] = None,
    channel: Conversation.Channel | None = None,
    priority: PriorityName | None = None,
    tag: Annotated[Str60 | None, Query(description="Tag name.")] = None,
    need: Annotated[Id | None, Query(description="Contact reason id.")] = None,
    customer: Annotated[Id | None, Query(description="Customer id.")] = None,
    updated_since: Annotated[Moment | None, Query(description="ISO 8601; changed at or after.")] = None,
    created_since: Annotated[Moment | None, Query(description="ISO 8601; opened at or after.")] = None,
    sort: Annotated[
        Literal["newest", "oldest"],
        Query(description="By when they were opened (the id): newest or oldest first."),
    ] = "newest",
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Conversations of restricted teams you are not in are left out.

    The order follows the primary key, so every page is an index range scan however
    deep you go; to follow changes, filter with `updated_since`."""
    agent = agent_of(request)
    queryset = conversations_visible_to(agent)
    if status:
        queryset = queryset.filter(status__in=status)
    if assignee is not None:
        queryset = queryset.filter(_assignee_filter(agent, assignee.strip().lower()))
    if team is not None:
        queryset = queryset.filter(team_id=team)
    if channel is not None:
        queryset = queryset.filter(channel=channel)
    if priority is not None:
        queryset = queryset.filter(priority=PRIORITY_BY_NAME[priority])
    if tag:
        queryset = queryset.filter(tags__name=tag.strip().lower())
    if need is not None:
        queryset = queryset.filter(need_id=need)
    if customer is not None:
        queryset = queryset.filter(customer_id=customer)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if created_since is not None:
        queryset = queryset.filter(created_at__gte=created_since)
    rows, next_cursor = keyset_page(
        _with_details(queryset),
        resource=f"conversations:{sort}",
        cursor=cursor,
        limit=limit,
        descending=sort == "newest",
    )
    return {"items": [conversation_out(row) for row in rows], "next": next_cursor}


@router.get(
    "/{number}", response={200: ConversationOut, 404: Error, 422: Error}, summary="Read a conversation"
)
def read_conversation(request: HttpRequest, number: Id) -> dict[str, Any]:
    agent = agent_of(request)
    get_conversation_for(agent, number)
    return _reload(agent, number)


@router.post(
    "",
    response={201: ConversationOut, 403: Error, 422: Error},
    summary="Open a conversation",
)
def create_conversation(
    request: HttpRequest, response: HttpResponse, payload: ConversationIn
) -> Status[dict[str, Any]]:
    """Opens a conversation whose first message comes from the customer, logged by you, or
    (`first_message_from: "agent"`) one you start by writing to the customer."""
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    if (payload.customer is None) == (payload.customer_email is None):
        raise ValidationError({"customer": "Give either customer (an id) or customer_email."})
    with transaction.atomic():
        if payload.customer is not None:
            found = Customer.objects.filter(pk=payload.customer).first()
            if found is None:
                raise ValidationError({"customer": "No such customer."})
        else:
            found = find_or_create_customer_by_email(payload.customer_email or "", name=payload.customer_name)
        if payload.first_message_from == "agent":
            _check_outbound_channel(payload, found)
            conversation = services.open_outbound_conversation(
                found,
                by=agent,
                subject=payload.subject,
                text=payload.text,
                team=_team(payload.team),
                priority=PRIORITY_BY_NAME[payload.priority],
            )
            response["Location"] = f"{request.path.rstrip('/')}/{conversation.number}"
            return Status(201, _reload(agent, conversation.number))
        conversation, _ = services.open_conversation(
            customer=found,
            subject=payload.subject,
            channel=payload.channel,
            text=payload.text,
            by=agent,
            team=_team(payload.team),
            priority=PRIORITY_BY_NAME[payload.priority],
        )
    response["Location"] = f"{request.path.rstrip('/')}/{conversation.number}"
    return Status(201, _reload(agent, conversation.number))


def _check_outbound_channel(payload: ConversationIn, customer: Customer) -> None:
    """Writing first, the channel follows the customer: a channel sent that differs is refused
    (it used to be ignored, so a caller asking for "phone" got an email without knowing)."""
    if "channel" not in payload.model_fields_set:
        return
    chosen = channel_for(customer)
    if payload.channel != chosen:
        raise ValidationError(
            {
                "channel": f'Writing first ("first_message_from": "agent"), the conversation goes by '
                f"{chosen} for this customer (email when they have an email address, else phone); "
                f'leave channel out or send "{chosen}".'
            }
        )


@router.patch(
    "/{number}",
    response={200: ConversationOut, 403: Error, 404: Error, 422: Error},
    summary="Change a conversation",
)
def update_conversation(request: HttpRequest, number: Id, payload: ConversationPatch) -> dict[str, Any]:
    """Only the fields you send change; each change is written to the audit log. All or nothing."""
    agent = agent_of(request)
    conversation = get_conversation_for(agent, number)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("priority") is not None:
        changes["priority"] = PRIORITY_BY_NAME[changes["priority"]]
    services.update_properties(conversation, changes, by=agent)
    return _reload(agent, number)
