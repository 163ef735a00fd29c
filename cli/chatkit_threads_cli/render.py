"""Terminal rendering with rich: the thread table, a thread's details and its items.

Everything the server sent goes into ``rich.text.Text`` objects, never into markup
strings, so a message containing ``[bold]`` is shown as written.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chatkit_threads import ThreadResource

from .items import Block, ItemView, describe_item
from .values import field, format_time, status_text, text

__all__ = ["item_panel", "thread_details", "thread_table"]

_ROLE_STYLES = {
    "user": "green",
    "assistant": "blue",
    "tool": "magenta",
    "widget": "cyan",
    "task": "yellow",
    "unknown": "red",
}


def _title(thread: object) -> Text:
    title = text(field(thread, "title"))
    return Text(title) if title else Text("(untitled)", style="dim")


def thread_table(threads: Iterable[ThreadResource], *, title: str | None = None) -> Table:
    """A table of threads: id, title, status, user, created (UTC)."""
    # Only the title may wrap; the rest stay on one line so ids can be copied.
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, expand=False)
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("title", overflow="fold", min_width=12)
    table.add_column("status", no_wrap=True)
    table.add_column("user", no_wrap=True)
    table.add_column("created (UTC)", no_wrap=True)
    for thread in threads:
        table.add_row(
            Text(text(field(thread, "id")) or "?"),
            _title(thread),
            Text(status_text(field(thread, "status"), with_reason=False)),
            Text(text(field(thread, "user")) or "?"),
            Text(format_time(field(thread, "created_at"), zone=False)),
        )
    return table


def thread_details(thread: ThreadResource) -> Panel:
    """One thread's fields as a two-column panel."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("id", Text(text(field(thread, "id")) or "?"))
    grid.add_row("title", _title(thread))
    grid.add_row("status", Text(status_text(field(thread, "status"))))
    grid.add_row("user", Text(text(field(thread, "user")) or "?"))
    grid.add_row("created", Text(format_time(field(thread, "created_at"))))
    return Panel(grid, title="thread", title_align="left", expand=False)


def _block(block: Block) -> RenderableType:
    lines = block.content if isinstance(block.content, list) else [block.content]
    if block.kind == "text":
        body: RenderableType = Text("\n".join(lines))
    elif block.kind == "quote":
        body = Text(
            "\n".join("> " + line for line in "\n".join(lines).splitlines() or [""]), style="italic"
        )
    elif block.kind == "heading":
        body = Text("\n".join(lines), style="bold")
    elif block.kind == "json":
        body = Text("\n".join(lines), style="cyan")
    elif block.kind == "list":
        body = Text("\n".join(f"- {line}" for line in lines))
    else:
        body = Text("\n".join(lines), style="dim")
    if block.label is None:
        return body
    return Group(Text(block.label + ":", style="bold dim"), Padding(body, (0, 0, 0, 2)))


def item_panel(item: object) -> Panel:
    """A panel for any thread item: a coloured header (kind, time, id) over its blocks."""
    view: ItemView = describe_item(item)
    style = _ROLE_STYLES.get(view.role, "white")
    header = Text(view.title, style=f"bold {style}")
    header.append(f"  {format_time(view.created_at, seconds=True)}", style="dim")
    blocks = [_block(block) for block in view.blocks] or [Text("(empty)", style="dim")]
    return Panel(
        Group(*blocks),
        title=header,
        title_align="left",
        subtitle=Text(view.id or "", style="dim"),
        subtitle_align="right",
        border_style=style,
    )
