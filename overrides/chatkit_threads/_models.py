"""Public response models: the generated attrs classes, subclassed.

Each class here *is* its generated counterpart (``isinstance`` holds, the attrs fields,
``repr`` and ``==`` are the generated ones); the subclass replaces ``from_dict`` (fast
dispatch on ``type``, lenient by default, ``strict=True`` to validate) and ``to_dict``
(exact round trip, including for drifting payloads), and narrows nested field types to
the public classes. Unknown variants become explicit ``Unknown*`` models keeping the raw
JSON.

Lenient parsing leaves a field that is missing from the payload as ``UNSET``
(``chatkit_threads.UNSET``, falsy) and a value of the wrong JSON shape as it came; the
type annotations hold exactly when the payload matches the spec, which ``strict=True``
guarantees.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Self, TypeAlias

import attrs

from chatkit_threads_api import models as _gen
from chatkit_threads_api.models.attachment_type import AttachmentType
from chatkit_threads_api.models.client_tool_call_status import ClientToolCallStatus
from chatkit_threads_api.models.sort_order import SortOrder
from chatkit_threads_api.models.task_type import TaskType
from chatkit_threads_api.types import Unset

from ._exceptions import ResponseValidationError
from ._schema import UNSET, Field, Spec, Union

__all__ = [
    "UNSET",
    "ActiveStatus",
    "Annotation",
    "AssistantMessageContent",
    "AssistantMessageItem",
    "Attachment",
    "AttachmentType",
    "ClientToolCallItem",
    "ClientToolCallStatus",
    "ClosedStatus",
    "DeletedThreadResource",
    "FileAnnotation",
    "FileAnnotationSource",
    "InferenceOptions",
    "InputTextContent",
    "LockedStatus",
    "QuotedTextContent",
    "ResponseOutputText",
    "SortOrder",
    "TaskGroupItem",
    "TaskGroupTask",
    "TaskItem",
    "TaskType",
    "ThreadItem",
    "ThreadItemListResource",
    "ThreadListResource",
    "ThreadResource",
    "ThreadStatus",
    "ToolChoice",
    "UnknownAnnotation",
    "UnknownContent",
    "UnknownThreadItem",
    "UnknownThreadStatus",
    "Unset",
    "UrlAnnotation",
    "UrlAnnotationSource",
    "UserMessageContent",
    "UserMessageItem",
    "WidgetItem",
]


class _Model:
    """Mixin giving a generated attrs class the table-driven ``from_dict``/``to_dict``."""

    # Empty slots keep the generated classes' slotted layout (no per-instance __dict__).
    __slots__ = ()
    _spec: ClassVar[Spec]

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, strict: bool = False) -> Self:
        """Parse decoded JSON; with ``strict=True`` raise ``ResponseValidationError``
        naming the JSON path of every departure from the spec instead of tolerating it."""
        spec = cls._spec
        data = src_dict if type(src_dict) is dict else dict(src_dict)
        if strict:
            check(spec, data, what=spec.name)
        obj: Self = spec.build(data)
        return obj

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model stands for (equal to the parsed input)."""
        return self._spec.dump(self)


class _Item(_Model):
    """Mixin for the six thread item types: remembers an unprefixed ``type`` spelling."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this item stands for, with ``type`` spelled as it arrived."""
        out = self._spec.dump(self)
        wire_type = getattr(self, "_wire_type", None)
        if wire_type is not None:
            out["type"] = wire_type
        return out


def check(spec: Spec | Union, data: Any, *, what: str) -> None:
    """Raise ``ResponseValidationError`` listing every departure of ``data`` from ``spec``."""
    errors: list[tuple[str, str]] = []
    spec.validate(data, "$", errors)
    if errors:
        raise ResponseValidationError(errors, what=what)


@attrs.define
class _Unknown:
    """Base of the ``Unknown*`` models: a variant this version of the spec does not know."""

    raw: dict[str, Any]
    """The JSON object exactly as received."""

    @property
    def type_(self) -> Any:
        """The ``type`` the server sent (``None`` when it sent none)."""
        return self.raw.get("type")

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, strict: bool = False) -> Self:
        """Wrap a JSON object. ``strict`` is accepted for symmetry; unknown models are
        never produced in strict mode, where an unknown variant is an error."""
        return cls(dict(src_dict))

    def to_dict(self) -> dict[str, Any]:
        """A copy of the JSON object as received."""
        return copy.deepcopy(self.raw)


@attrs.define
class UnknownThreadStatus(_Unknown):
    """A thread status whose ``type`` is none of active/locked/closed (lenient mode only)."""


@attrs.define
class UnknownContent(_Unknown):
    """A user or assistant content element of an unknown ``type`` (lenient mode only)."""


@attrs.define
class UnknownAnnotation(_Unknown):
    """An annotation of an unknown ``type`` (lenient mode only)."""


@attrs.define
class UnknownThreadItem(_Unknown):
    """A thread item whose ``type`` this version does not know (lenient mode only).

    ``id``, ``created_at`` and ``thread_id`` are read from the raw JSON when present,
    since every item type has them.
    """

    @property
    def id(self) -> Any:
        """The item's ``id`` (``None`` when absent)."""
        return self.raw.get("id")

    @property
    def created_at(self) -> Any:
        """The item's ``created_at`` (``None`` when absent)."""
        return self.raw.get("created_at")

    @property
    def thread_id(self) -> Any:
        """The item's ``thread_id`` (``None`` when absent)."""
        return self.raw.get("thread_id")


# --- statuses -------------------------------------------------------------------------


class ActiveStatus(_Model, _gen.ActiveStatus):
    """The thread is active."""

    __slots__ = ()


class LockedStatus(_Model, _gen.LockedStatus):
    """The thread is locked and cannot accept new input; ``reason`` may say why."""

    __slots__ = ()


class ClosedStatus(_Model, _gen.ClosedStatus):
    """The thread has been closed; ``reason`` may say why."""

    __slots__ = ()


ThreadStatus: TypeAlias = ActiveStatus | LockedStatus | ClosedStatus | UnknownThreadStatus
"""A thread's status, discriminated by ``type``."""


class ThreadResource(_Model, _gen.ThreadResource):
    """A ChatKit thread: ``id``, ``created_at``, ``title``, ``status``, ``user``."""

    __slots__ = ()
    status: ThreadStatus  # type: ignore[assignment]


class DeletedThreadResource(_Model, _gen.DeletedThreadResource):
    """The result of deleting a thread: ``id``, ``object``, ``deleted``."""

    __slots__ = ()


# --- content of messages --------------------------------------------------------------


class InputTextContent(_Model, _gen.InputTextContent):
    """Text a user wrote."""

    __slots__ = ()


class QuotedTextContent(_Model, _gen.QuotedTextContent):
    """A snippet the user quoted."""

    __slots__ = ()


UserMessageContent: TypeAlias = InputTextContent | QuotedTextContent | UnknownContent
"""A content element of a user message, discriminated by ``type``."""


class Attachment(_Model, _gen.Attachment):
    """An attachment of a user message."""

    __slots__ = ()


class ToolChoice(_Model, _gen.ToolChoice):
    """The tool a user message asked for."""

    __slots__ = ()


class InferenceOptions(_Model, _gen.InferenceOptions):
    """Inference overrides of a user message."""

    __slots__ = ()
    tool_choice: ToolChoice | None


class FileAnnotationSource(_Model, _gen.FileAnnotationSource):
    """The file an annotation refers to."""

    __slots__ = ()


class UrlAnnotationSource(_Model, _gen.UrlAnnotationSource):
    """The URL an annotation refers to."""

    __slots__ = ()


class FileAnnotation(_Model, _gen.FileAnnotation):
    """An annotation referencing an uploaded file."""

    __slots__ = ()
    source: FileAnnotationSource


class UrlAnnotation(_Model, _gen.UrlAnnotation):
    """An annotation referencing a URL."""

    __slots__ = ()
    source: UrlAnnotationSource


Annotation: TypeAlias = FileAnnotation | UrlAnnotation | UnknownAnnotation
"""An annotation on assistant text, discriminated by ``type``."""


class ResponseOutputText(_Model, _gen.ResponseOutputText):
    """Assistant text with its annotations."""

    __slots__ = ()
    annotations: list[Annotation]  # type: ignore[assignment]


AssistantMessageContent: TypeAlias = ResponseOutputText | UnknownContent
"""A content element of an assistant message, discriminated by ``type``."""


class TaskGroupTask(_Model, _gen.TaskGroupTask):
    """One task of a task group."""

    __slots__ = ()


# --- the six item types ---------------------------------------------------------------
# Each has a ``_wire_type`` slot, set only when the payload spelled ``type`` without the
# ``chatkit.`` prefix, so that ``to_dict`` can write the original spelling back.


class UserMessageItem(_Item, _gen.UserMessageItem):
    """A message the user wrote, with content elements, attachments and inference options."""

    __slots__ = ("_wire_type",)
    content: list[UserMessageContent]  # type: ignore[assignment]
    attachments: list[Attachment]  # type: ignore[assignment]
    inference_options: InferenceOptions | None


class AssistantMessageItem(_Item, _gen.AssistantMessageItem):
    """A message the assistant wrote."""

    __slots__ = ("_wire_type",)
    content: list[AssistantMessageContent]  # type: ignore[assignment]


class WidgetItem(_Item, _gen.WidgetItem):
    """An item rendering a widget (``widget`` is the serialised payload)."""

    __slots__ = ("_wire_type",)


class ClientToolCallItem(_Item, _gen.ClientToolCallItem):
    """A client-side tool call made by the assistant, with its arguments and output."""

    __slots__ = ("_wire_type",)


class TaskItem(_Item, _gen.TaskItem):
    """A task the workflow emitted to show progress."""

    __slots__ = ("_wire_type",)


class TaskGroupItem(_Item, _gen.TaskGroupItem):
    """A group of workflow tasks."""

    __slots__ = ("_wire_type",)
    tasks: list[TaskGroupTask]  # type: ignore[assignment]


ThreadItem: TypeAlias = (
    UserMessageItem
    | AssistantMessageItem
    | WidgetItem
    | ClientToolCallItem
    | TaskItem
    | TaskGroupItem
    | UnknownThreadItem
)
"""One item of a thread, discriminated by ``type``."""


class ThreadListResource(_Model, _gen.ThreadListResource):
    """A page of threads as the API sends it (``client.threads.list`` wraps it in a page)."""

    __slots__ = ()
    data: list[ThreadResource]  # type: ignore[assignment]


class ThreadItemListResource(_Model, _gen.ThreadItemListResource):
    """A page of thread items as the API sends it (``list_items`` wraps it in a page)."""

    __slots__ = ()
    data: list[ThreadItem]  # type: ignore[assignment]


# --- the field tables (from openapi/chatkit-threads.yaml; tests/client checks them) ----

_STR = Field("string")
_STR_OR_NULL = Field("string", nullable=True)
_INT = Field("integer")
_BOOL = Field("boolean")


def _const(value: str) -> Field:
    return Field("string", const=value)


def _spec(cls: type[_Model], fields: dict[str, Field]) -> Spec:
    spec = Spec(cls.__name__, cls, fields)
    cls._spec = spec
    return spec


_ACTIVE = _spec(ActiveStatus, {"type": _const("active")})
_LOCKED = _spec(LockedStatus, {"type": _const("locked"), "reason": _STR_OR_NULL})
_CLOSED = _spec(ClosedStatus, {"type": _const("closed"), "reason": _STR_OR_NULL})
THREAD_STATUS = Union(
    "thread status",
    {"active": _ACTIVE, "locked": _LOCKED, "closed": _CLOSED},
    UnknownThreadStatus,
)
THREAD = _spec(
    ThreadResource,
    {
        "id": _STR,
        "object": _const("chatkit.thread"),
        "created_at": _INT,
        "title": _STR_OR_NULL,
        "status": Field("union", sub=THREAD_STATUS),
        "user": _STR,
    },
)
DELETED_THREAD = _spec(
    DeletedThreadResource,
    {"id": _STR, "object": _const("chatkit.thread.deleted"), "deleted": _BOOL},
)

_INPUT_TEXT = _spec(InputTextContent, {"type": _const("input_text"), "text": _STR})
_QUOTED_TEXT = _spec(QuotedTextContent, {"type": _const("quoted_text"), "text": _STR})
_USER_CONTENT = Union(
    "user message content",
    {"input_text": _INPUT_TEXT, "quoted_text": _QUOTED_TEXT},
    UnknownContent,
)
_ATTACHMENT = _spec(
    Attachment,
    {
        "id": _STR,
        "mime_type": _STR,
        "name": _STR,
        "preview_url": _STR_OR_NULL,
        "type": Field("string", enum=("image", "file")),
    },
)
_TOOL_CHOICE = _spec(ToolChoice, {"id": _STR})
_INFERENCE_OPTIONS = _spec(
    InferenceOptions,
    {"model": _STR_OR_NULL, "tool_choice": Field("model", sub=_TOOL_CHOICE, nullable=True)},
)
_FILE_SOURCE = _spec(FileAnnotationSource, {"type": _const("file"), "filename": _STR})
_URL_SOURCE = _spec(UrlAnnotationSource, {"type": _const("url"), "url": _STR})
_FILE_ANNOTATION = _spec(
    FileAnnotation, {"type": _const("file"), "source": Field("model", sub=_FILE_SOURCE)}
)
_URL_ANNOTATION = _spec(
    UrlAnnotation, {"type": _const("url"), "source": Field("model", sub=_URL_SOURCE)}
)
_ANNOTATION = Union(
    "annotation", {"file": _FILE_ANNOTATION, "url": _URL_ANNOTATION}, UnknownAnnotation
)
_OUTPUT_TEXT = _spec(
    ResponseOutputText,
    {
        "type": _const("output_text"),
        "text": _STR,
        "annotations": Field("union", sub=_ANNOTATION, array=True),
    },
)
_ASSISTANT_CONTENT = Union(
    "assistant message content", {"output_text": _OUTPUT_TEXT}, UnknownContent
)
_TASK_TYPE = Field("string", enum=("custom", "thought"))
_TASK_GROUP_TASK = _spec(
    TaskGroupTask, {"type": _TASK_TYPE, "heading": _STR_OR_NULL, "summary": _STR_OR_NULL}
)


def _item(cls: type[_Item], type_: str, fields: dict[str, Field]) -> Spec:
    common = {
        "id": _STR,
        "object": _const("chatkit.thread_item"),
        "created_at": _INT,
        "thread_id": _STR,
        "type": _const(type_),
    }
    return _spec(cls, common | fields)


_ITEM_SPECS = [
    _item(
        UserMessageItem,
        "chatkit.user_message",
        {
            "content": Field("union", sub=_USER_CONTENT, array=True),
            "attachments": Field("model", sub=_ATTACHMENT, array=True),
            "inference_options": Field("model", sub=_INFERENCE_OPTIONS, nullable=True),
        },
    ),
    _item(
        AssistantMessageItem,
        "chatkit.assistant_message",
        {"content": Field("union", sub=_ASSISTANT_CONTENT, array=True)},
    ),
    _item(WidgetItem, "chatkit.widget", {"widget": _STR}),
    _item(
        ClientToolCallItem,
        "chatkit.client_tool_call",
        {
            "name": _STR,
            "call_id": _STR,
            "arguments": _STR,
            "output": _STR_OR_NULL,
            "status": Field("string", enum=("in_progress", "completed")),
        },
    ),
    _item(
        TaskItem,
        "chatkit.task",
        {"task_type": _TASK_TYPE, "heading": _STR_OR_NULL, "summary": _STR_OR_NULL},
    ),
    _item(
        TaskGroupItem,
        "chatkit.task_group",
        {"tasks": Field("model", sub=_TASK_GROUP_TASK, array=True)},
    ),
]
_ITEM_TYPES = {str(spec.fields["type"].const): spec for spec in _ITEM_SPECS}
THREAD_ITEM = Union(
    "thread item",
    _ITEM_TYPES,
    UnknownThreadItem,
    # Real payloads (the second example of the list-items page) drop the prefix.
    aliases={key.removeprefix("chatkit."): key for key in _ITEM_TYPES},
)


def _list_fields(data: Field) -> dict[str, Field]:
    return {
        "object": _const("list"),
        "data": data,
        "first_id": _STR_OR_NULL,
        "last_id": _STR_OR_NULL,
        "has_more": _BOOL,
    }


THREAD_LIST = _spec(ThreadListResource, _list_fields(Field("model", sub=THREAD, array=True)))
THREAD_ITEM_LIST = _spec(
    ThreadItemListResource, _list_fields(Field("union", sub=THREAD_ITEM, array=True))
)

# The literal-typed names re-exported for users' annotations.
_ = (AttachmentType, ClientToolCallStatus, SortOrder, TaskType, Literal)
