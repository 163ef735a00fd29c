"""Command-line tool for the ChatKit Threads API: ``chatkit-threads``.

Modules, one job each:

- ``main``: the console script's entry point, ``main(argv) -> exit code``.
- ``app``: the top-level command, its global options, and the mounted ``mock`` and
  ``contract`` commands.
- ``commands``: the ``threads`` commands: ``browse`` (list, get, items), ``bulk``
  (export, delete), and ``options`` (what they share).
- ``settings``: the global options and the client they configure.
- ``errors``: exit codes, and exceptions turned into one readable line.
- ``items``: what each thread item says (``ItemView``), for both renderers.
- ``render`` / ``markdown``: terminal rendering (rich) and Markdown transcripts.
- ``records`` / ``export`` / ``progress``: export files, the resumable export, progress;
  ``export_dir``, ``export_file``, ``export_files``, ``export_shared``: its two layouts
  and what they write (never a file they did not write).
- ``listing``: every thread, oldest first, through the client's paginator.
- ``pool``: the bounded worker pool within the server's rate limits.
- ``jsontext``: JSON written (files, ``--json``) always valid, whatever a server sent.
- ``terminal``: consoles that neutralise control characters and hide the secrets.
- ``drift`` / ``drift_report`` / ``drift_sample`` / ``conformance``: ``spec drift``.
- ``delete``: selecting threads to delete and deleting them with per-thread outcomes.
- ``values``: display helpers tolerant of payloads that drift from the spec.
"""
