"""Benchmarks for chatkit-threads (issues 8 and 15): run them with `python -m bench`.

Modules, one per benchmark: `overhead` (client cost per call vs the official SDK and raw
httpx), `pagination` (auto-pagination over 100k items: items/s and memory), `server`
(mock server throughput and latency at 10k and 1M threads), `contract` (contract suite
wall time) and `codegen` (`scripts/generate`). Numbers are medians and ratios measured
side by side in one run; nothing here asserts on timing.
"""
