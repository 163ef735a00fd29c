"""Command-line tool for the ChatKit Threads API: ``chatkit-threads``.

Modules, one job each:

- ``main``: the console script's entry point, ``main(argv) -> exit code``.
- ``app``: the top-level command, its global options, and the mounted ``mock`` and
  ``contract`` commands.
- ``commands``: the ``threads`` commands (list, get, items, export, delete).
- ``settings``: the global options and the client they configure.
- ``errors``: exit codes, and exceptions turned into one readable line.
- ``items``: what each thread item says (``ItemView``), for both renderers.
- ``render`` / ``markdown``: terminal rendering (rich) and Markdown transcripts.
- ``records`` / ``export`` / ``progress``: export files, the resumable export, progress.
- ``delete``: selecting threads to delete and deleting them with per-thread outcomes.
- ``values``: display helpers tolerant of payloads that drift from the spec.
"""
