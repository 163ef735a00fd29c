"""Contains all the data models used in inputs/outputs"""

from .active_status import ActiveStatus
from .assistant_message_item import AssistantMessageItem
from .attachment import Attachment
from .attachment_type import AttachmentType
from .client_tool_call_item import ClientToolCallItem
from .client_tool_call_status import ClientToolCallStatus
from .closed_status import ClosedStatus
from .deleted_thread_resource import DeletedThreadResource
from .error import Error
from .error_response import ErrorResponse
from .file_annotation import FileAnnotation
from .file_annotation_source import FileAnnotationSource
from .inference_options import InferenceOptions
from .input_text_content import InputTextContent
from .locked_status import LockedStatus
from .quoted_text_content import QuotedTextContent
from .response_output_text import ResponseOutputText
from .sort_order import SortOrder
from .task_group_item import TaskGroupItem
from .task_group_task import TaskGroupTask
from .task_item import TaskItem
from .task_type import TaskType
from .thread_item_list_resource import ThreadItemListResource
from .thread_list_resource import ThreadListResource
from .thread_resource import ThreadResource
from .tool_choice import ToolChoice
from .url_annotation import UrlAnnotation
from .url_annotation_source import UrlAnnotationSource
from .user_message_item import UserMessageItem
from .widget_item import WidgetItem

__all__ = (
    "ActiveStatus",
    "AssistantMessageItem",
    "Attachment",
    "AttachmentType",
    "ClientToolCallItem",
    "ClientToolCallStatus",
    "ClosedStatus",
    "DeletedThreadResource",
    "Error",
    "ErrorResponse",
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
    "ThreadItemListResource",
    "ThreadListResource",
    "ThreadResource",
    "ToolChoice",
    "UrlAnnotation",
    "UrlAnnotationSource",
    "UserMessageItem",
    "WidgetItem",
)
