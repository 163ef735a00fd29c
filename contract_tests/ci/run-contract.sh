#!/usr/bin/env bash
# The run step of the composite action (action.yml), and of any CI that wants the same:
# run chatkit-threads-contract with a config file, write JUnit/HAR/NDJSON reports into a
# directory, compare with a baseline when one is given, and tell the CI where it all is.
#
# Inputs (environment): CONTRACT_CONFIG (a TOML file; default: pyproject.toml's table),
# CONTRACT_REPORT_DIR (default: contract-reports), CONTRACT_BASELINE (a baseline file;
# optional), CONTRACT_ARGS (more options, split on spaces), CONTRACT_COMMAND (default:
# chatkit-threads-contract). The key comes from OPENAI_API_KEY, never from the command line.
# Outputs: the command's exit status; `status=` and `report-dir=` lines appended to
# $GITHUB_OUTPUT when it is set.
set -uo pipefail

command=${CONTRACT_COMMAND:-chatkit-threads-contract}
report_dir=${CONTRACT_REPORT_DIR:-contract-reports}
args=(--report junit,har,ndjson --report-dir "$report_dir")
if [[ -n "${CONTRACT_CONFIG:-}" ]]; then
    args+=(--config "$CONTRACT_CONFIG")
fi
if [[ -n "${CONTRACT_BASELINE:-}" ]]; then
    args+=(--baseline "$CONTRACT_BASELINE")
fi
# shellcheck disable=SC2206  # deliberate word splitting of extra options
extra=(${CONTRACT_ARGS:-})

mkdir -p "$report_dir"
# shellcheck disable=SC2086  # the command may be "python -m chatkit_threads_contract"
$command "${args[@]}" "${extra[@]}" 2>&1 | tee "$report_dir/summary.txt"
status=${PIPESTATUS[0]}

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
        echo "status=$status"
        echo "report-dir=$report_dir"
    } >> "$GITHUB_OUTPUT"
fi
exit "$status"
