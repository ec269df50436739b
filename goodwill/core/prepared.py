"""Small queries a page runs on every request, built by the ORM once per process.

Building and compiling a QuerySet costs Django 0.3 to 1 ms of CPU on the build machine, several
times the SQL of the small indexed look-ups a page makes (the badges of 50 inbox rows, the
unread-notices count). A `PreparedQuery` builds its queryset once per process and shape from
stand-in values, keeps the SQL, and binds the real values on each call; the rows come back
converted as the ORM converts them (date-times as aware datetimes on SQLite too).

    OVERDUE = PreparedQuery(
        lambda ids: Promise.objects.filter(conversation_id__in=ids, state="open").values_list("conversation_id")
    )
    OVERDUE.rows(conversation_ids)  # [(12,), (40,)]

Arguments are whole numbers or lists of whole numbers (ids): each list length is its own
shape, compiled once. The queryset must be a `values_list()` one and must not depend on
anything but its arguments (no `timezone.now()` inside: pass what changes as an argument).
A queryset whose SQL does not hold each stand-in exactly where a value goes (the ORM folded one
away) is run through the ORM every time, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

Argument = int | Sequence[int]
# Stand-ins no id, count or value of these queries takes: far below zero, unique per position.
_STAND_IN_BASE = -(2**52) + 104_729
_PLACEHOLDER = re.compile(r"(?<!%)%s")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # constants, with stand-ins where the arguments go
    slots: tuple[tuple[int, int] | None, ...]  # per param: (argument, item) or None for a constant
    columns: tuple[Any, ...]  # the selected expressions, for the ORM's converters

    def bind(self, arguments: tuple[Argument, ...]) -> list[Any]:
        params: list[Any] = []
        for param, slot in zip(self.params, self.slots, strict=True):
            if slot is None:
                params.append(param)
                continue
            value = arguments[slot[0]]
            item = value if isinstance(value, int) else value[slot[1]]
            params.append(int(item))
        return params


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *, using: str = "default") -> None:
        self.build = build
        self.using = using
        self._compiled: dict[tuple[int, ...], _Compiled | None] = {}

    def rows(self, *arguments: Argument) -> list[tuple[Any, ...]]:
        """The rows for these arguments, as `values_list()` gives them (tuples)."""
        shape = tuple(-1 if isinstance(argument, int) else len(argument) for argument in arguments)
        if 0 in shape:
            return list(self._through_orm(arguments))  # an empty IN: the ORM answers without SQL
        if shape not in self._compiled:
            self._compiled[shape] = self._compile(shape)
        compiled = self._compiled[shape]
        if compiled is None:
            return list(self._through_orm(arguments))
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.bind(arguments))
            found = cursor.fetchall()
        converters = [
            (index, convert, column)
            for index, column in enumerate(compiled.columns)
            for convert in (*connection.ops.get_db_converters(column), *column.get_db_converters(connection))
        ]
        if not converters:
            return [tuple(row) for row in found]
        converted = []
        for row in found:
            values = list(row)
            for index, convert, column in converters:
                values[index] = convert(values[index], column, connection)
            converted.append(tuple(values))
        return converted

    def _through_orm(self, arguments: tuple[Argument, ...]) -> list[tuple[Any, ...]]:
        return [row if isinstance(row, tuple) else (row,) for row in self.build(*arguments)]

    def _compile(self, shape: tuple[int, ...]) -> _Compiled | None:
        stand_ins: dict[int, tuple[int, int]] = {}
        arguments: list[Argument] = []
        for position, length in enumerate(shape):
            if length < 0:
                value = _STAND_IN_BASE - len(stand_ins)
                stand_ins[value] = (position, -1)
                arguments.append(value)
            else:
                items = []
                for item in range(length):
                    value = _STAND_IN_BASE - len(stand_ins)
                    stand_ins[value] = (position, item)
                    items.append(value)
                arguments.append(items)
        queryset = self.build(*arguments)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        slots = tuple(stand_ins.get(param) if isinstance(param, int) else None for param in params)
        used = [slot for slot in slots if slot is not None]
        if len(_PLACEHOLDER.findall(sql)) != len(params) or sorted(used) != sorted(stand_ins.values()):
            return None  # a stand-in missing, doubled or moved: not safe to bind by position
        columns = tuple(select[0] for select in compiler.select[: compiler.col_count])
        return _Compiled(sql=sql, params=tuple(params), slots=slots, columns=columns)
