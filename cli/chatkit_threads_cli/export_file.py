"""A single-file export: every thread's block in one ``FILE.jsonl``.

The file is written as ``FILE.jsonl.part`` and renamed at the end; ``FILE.manifest.jsonl``
records where each finished thread's block ends. A rerun cuts the file back to the last
finished thread and carries on from there (a thread cut short is fetched again).

The export owns ``FILE.jsonl`` only while its manifest describes it exactly; an existing
file without one (a backup, anything of the user's) is never moved or truncated: the
export refuses to start. A finished export that a rerun reopens to append to is put back
as ``FILE.jsonl`` on any failure (the thread being appended cut off), so a complete
export never turns into a ``.part`` file; a first run's ``.part`` file stays one until
it is complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from chatkit_threads import ChatKit, ThreadResource

from . import export_files as files
from .export_files import ExportConflict, Manifest, Span, file_stem, write_markdown
from .export_shared import ExportOptions, Fetched
from .jsontext import dump_line

__all__ = ["SingleFileExport"]


def _finished_end(manifest: Manifest, size: int) -> tuple[dict[str, Span], int]:
    """The manifest's entries that tile the data from its start, and where they end."""
    kept: dict[str, Span] = {}
    end = 0
    for key, span in manifest.entries.items():
        start, stop, _, _ = span
        if start != end or not isinstance(stop, int) or stop > size or stop < start:
            break
        kept[key] = span
        end = stop
    return kept, end


class SingleFileExport:
    """All threads in one JSONL file; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions, stopping: Callable[[], bool]):
        self.client = client
        self.options = options
        self.stopping = stopping
        out = options.out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.final = out
        self.part = out.with_name(out.name + ".part")
        self.markdown_dir = out.with_name(out.stem + "-markdown")
        self.manifest = Manifest(out.with_name(out.stem + ".manifest.jsonl"))
        self._claim()
        self._reopened = self.final.exists()
        if self._reopened:
            # A finished export of ours: reopen it to append threads created since.
            os.replace(self.final, self.part)
        try:
            if not self.part.exists():
                self.part.write_bytes(b"")
                self.manifest.rewrite_blocks({})
            self._cut_back_to_finished()
            self.handle = self.part.open("ab")
            if options.markdown:
                self.markdown_dir.mkdir(exist_ok=True)
        except BaseException:
            self._put_back()
            raise

    def _claim(self) -> None:
        """Refuse unless every existing file here is this export's own (see above)."""
        final, part, manifest = self.final, self.part, self.manifest
        if final.exists() and part.exists():
            raise ExportConflict(
                f"both {final} and {part.name} exist: move one away (export never "
                "overwrites a file it did not write)"
            )
        for existing in (final, part):
            if existing.exists() and not existing.is_file():
                raise ExportConflict(f"{existing} exists and is not a file")
        if final.exists():
            size = final.stat().st_size
            kept, end = _finished_end(manifest, size)
            if not manifest.exists or end != size or len(kept) != len(manifest.entries):
                raise ExportConflict(
                    f"{final} exists and is not an export this command wrote (no "
                    f"{manifest.path.name} describing it): choose another --out, or move it"
                )
        elif part.exists() and not manifest.exists:
            raise ExportConflict(
                f"{part} exists without {manifest.path.name}: it is not an export in "
                "progress; choose another --out, or move it"
            )
        if not manifest.exists:
            manifest.create()

    def _cut_back_to_finished(self) -> None:
        """Drop the manifest entries the data file does not hold, and the data after the
        last finished thread (a block cut short by an interruption)."""
        size = self.part.stat().st_size
        kept, end = _finished_end(self.manifest, size)
        if len(kept) != len(self.manifest.entries):
            self.manifest.rewrite_blocks(kept)
        if size != end:
            with self.part.open("r+b") as handle:
                handle.truncate(end)

    def _put_back(self) -> None:
        """A reopened export's finished threads back under the final name (after a
        failure)."""
        if self._reopened and self.part.exists() and not self.final.exists():
            self._cut_back_to_finished()
            os.replace(self.part, self.final)

    def fetch(self, thread: ThreadResource) -> Fetched:
        """Fetch the thread's block into a temporary spool file (on a worker)."""
        if thread.id in self.manifest.entries:
            return Fetched("skipped")
        # On disk, not in memory: a thread may hold any number of items.
        spool = tempfile.TemporaryFile(dir=self.final.parent, prefix=".chatkit-export-")  # noqa: SIM115 - handed over to record()
        try:
            spool.write(dump_line(thread.to_dict()))
            written = files.write_items(
                self.client, spool, thread.id, None, self.options.page_size, self.stopping
            )
        except BaseException:
            spool.close()  # deleted meanwhile, rate limited (fetched again) or stopping
            raise
        return Fetched("exported", written, spool=spool)

    def _markdown(self, thread_id: str) -> Path:
        return self.markdown_dir / f"{file_stem(thread_id)}.md"

    def record(self, thread: ThreadResource, fetched: Fetched) -> None:
        """Append a fetched block to the file (in listing order), or catch up on the
        Markdown of one exported before."""
        markdown = self._markdown(thread.id)
        spool = fetched.spool
        if spool is None:
            start, end, _, _ = self.manifest.entries[thread.id]
            if self.options.markdown and not markdown.exists():
                self.handle.flush()
                with self.part.open("rb") as data:
                    data.seek(start)
                    block = data.read(end - start)
                write_markdown(markdown, block.splitlines(keepends=True))
            return
        with spool:
            start = self.handle.tell()
            spool.seek(0)
            shutil.copyfileobj(spool, self.handle)
            self.handle.flush()
            end = self.handle.tell()
            self.manifest.add(
                {"id": thread.id, "items": fetched.written, "start": start, "end": end}
            )
            if self.options.markdown:
                spool.seek(0)
                write_markdown(markdown, spool)

    def abandon(self) -> None:
        """After an error: close the data file; a reopened export goes back under its
        final name (a first run's ``.part`` file is cut back by the rerun)."""
        self.handle.close()
        self._put_back()

    def finish(self) -> None:
        """Close the data file and give it its final name: the export is complete."""
        self.handle.close()
        os.replace(self.part, self.final)
