#!/bin/bash
# Instructions per workflow event, counted by callgrind: deterministic however busy the machine is.
#
#   bench/event_instructions.sh [EVENTS]        (from a checkout; PYTHON defaults to .venv/bin/python)
#
# Runs bench/event_cpu.py under valgrind with counting off, warms up, then counts one round of
# EVENTS events (default 300, 8 clients) with the collector's long-lived heap frozen, and prints
# the instructions per event. To compare another commit, run this same file from its worktree
# (the app imported is the current folder's): cd ../old && PYTHON=.venv/bin/python ../new/bench/event_instructions.sh
set -euo pipefail
events=${1:-300}
python=${PYTHON:-.venv/bin/python}
here=$(cd "$(dirname "$0")" && pwd)
hs=$(mktemp -d)
PYTHONHASHSEED=0 PYTHONPATH=$PWD valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$hs/cg.out" \
  "$python" "$here/event_cpu.py" --events "$events" --clients 8 --handshake "$hs" >"$hs/log" 2>&1 &
run=$!
until [ -f "$hs/ready" ]; do
  sleep 1
  kill -0 $run 2>/dev/null || { tail -20 "$hs/log"; exit 1; }
done
callgrind_control -i on "$(cat "$hs/ready")" >/dev/null 2>&1
touch "$hs/go"
until [ -f "$hs/done" ]; do sleep 1; done
callgrind_control -i off "$(cat "$hs/ready")" >/dev/null 2>&1
touch "$hs/stop"
wait $run
ir=$(grep "Collected :" "$hs/log" | awk '{print $NF}')
echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?') events=$events instructions_per_event=$((ir / events))"
rm -rf "$hs"
