"""Terminal rendering with rich: the thread table, a thread's details and its items.

Everything the server sent goes into ``rich.text.Text`` objects, never into markup
strings, so a message containing ``[bold]`` is shown as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chatkit_threads import ThreadResource

from .items import Block, ItemView, describe_item
from .terminal import hide_secrets, safe
from .values import field, format_time, status_text, text

__all__ = ["item_panel", "print_plain", "print_thread_pages", "thread_details", "thread_table"]


def _shown(value: str, style: str = "") -> Text:
    """Server text ready to draw: control characters neutralised and the command's
    secrets hidden before layout (a column cut short must not show part of a key)."""
    return Text(hide_secrets(safe(value)), style=style)


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
    return _shown(title) if title else _shown("(untitled)", style="dim")


_HEADERS = ("id", "title", "status", "user", "created (UTC)")
_TITLE = 1
_MIN_TITLE_WIDTH = 12


def _cells(thread: object) -> tuple[Text, ...]:
    return (
        _shown(text(field(thread, "id")) or "?"),
        _title(thread),
        _shown(status_text(field(thread, "status"), with_reason=False)),
        _shown(text(field(thread, "user")) or "?"),
        _shown(format_time(field(thread, "created_at"), zone=False)),
    )


def thread_table(
    threads: Iterable[ThreadResource],
    *,
    title: str | None = None,
    widths: Sequence[int] | None = None,
    show_header: bool = True,
) -> Table:
    """A table of threads: id, title, status, user, created (UTC).

    ``widths`` fixes the columns (the title's exactly, the others as minimums), so that
    tables printed one after another line up.
    """
    # Only the title may wrap; the rest stay on one line so ids can be copied.
    table = Table(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        expand=False,
        show_header=show_header,
        show_edge=widths is None,
    )
    for index, header in enumerate(_HEADERS):
        fixed = widths[index] if widths is not None else None
        if index == _TITLE:
            table.add_column(header, overflow="fold", min_width=_MIN_TITLE_WIDTH, width=fixed)
        else:
            table.add_column(
                header, no_wrap=True, min_width=fixed, style="bold" if index == 0 else None
            )
    for thread in threads:
        table.add_row(*_cells(thread))
    return table


def _page_widths(console: Console, threads: Sequence[ThreadResource]) -> list[int]:
    """Column widths for a first page: the widest cells, the title taking what is left."""
    widths = [
        max([len(header)] + [_cells(thread)[index].cell_len for thread in threads])
        for index, header in enumerate(_HEADERS)
    ]
    # Each column is padded by one space on either side, with one-space dividers between
    # (no outer edge: these tables are printed with show_edge off).
    others = sum(widths) - widths[_TITLE] + 3 * len(_HEADERS) - 1
    room = max(_MIN_TITLE_WIDTH, console.width - others)
    widths[_TITLE] = max(_MIN_TITLE_WIDTH, min(widths[_TITLE], room))
    return widths


def print_plain(console: Console, renderable: RenderableType) -> None:
    """Print ``renderable``; off a terminal, without the spaces rich pads lines with."""
    if console.is_terminal:
        console.print(renderable, soft_wrap=False)
        return
    with console.capture() as captured:
        console.print(renderable, soft_wrap=False)
    lines = captured.get().split("\n")
    console.file.write("\n".join(line.rstrip() for line in lines))
    console.file.flush()


def print_thread_pages(console: Console, pages: Iterable[Sequence[ThreadResource]]) -> int:
    """Print pages of threads as they arrive, as one table; return how many were printed.

    Each page is printed before the next is requested, so memory stays at one page and
    the first rows show at once, however many threads there are. The header comes once,
    and every page uses the column widths of the first.
    """
    widths: list[int] | None = None
    printed = 0
    for threads in pages:
        if not threads:
            continue
        first = widths is None
        if widths is None:
            widths = _page_widths(console, threads)
        print_plain(console, thread_table(threads, widths=widths, show_header=first))
        printed += len(threads)
    return printed


def thread_details(thread: ThreadResource) -> Panel:
    """One thread's fields as a two-column panel."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("id", _shown(text(field(thread, "id")) or "?"))
    grid.add_row("title", _title(thread))
    grid.add_row("status", _shown(status_text(field(thread, "status"))))
    grid.add_row("user", _shown(text(field(thread, "user")) or "?"))
    grid.add_row("created", _shown(format_time(field(thread, "created_at"))))
    return Panel(grid, title="thread", title_align="left", expand=False)


def _block(block: Block) -> RenderableType:
    lines = block.content if isinstance(block.content, list) else [block.content]
    if block.kind == "text":
        body: RenderableType = _shown("\n".join(lines))
    elif block.kind == "quote":
        body = _shown(
            "\n".join("> " + line for line in "\n".join(lines).splitlines() or [""]), style="italic"
        )
    elif block.kind == "heading":
        body = _shown("\n".join(lines), style="bold")
    elif block.kind == "json":
        body = _shown("\n".join(lines), style="cyan")
    elif block.kind == "list":
        body = _shown("\n".join(f"- {line}" for line in lines))
    else:
        body = _shown("\n".join(lines), style="dim")
    if block.label is None:
        return body
    return Group(_shown(block.label + ":", style="bold dim"), Padding(body, (0, 0, 0, 2)))


def item_panel(item: object) -> Panel:
    """A panel for any thread item: a coloured header (kind, time, id) over its blocks."""
    view: ItemView = describe_item(item)
    style = _ROLE_STYLES.get(view.role, "white")
    header = _shown(view.title, style=f"bold {style}")
    header.append(f"  {format_time(view.created_at, seconds=True)}", style="dim")
    blocks = [_block(block) for block in view.blocks] or [_shown("(empty)", style="dim")]
    return Panel(
        Group(*blocks),
        title=header,
        title_align="left",
        subtitle=_shown(view.id or "", style="dim"),
        subtitle_align="right",
        border_style=style,
    )
