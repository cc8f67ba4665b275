#!/usr/bin/env bash
# guard.sh - the performance regression guard run by ctest: logscrub's time against
# `cat | cat` over the same generated corpus in the same run, so a slow or busy machine
# moves both and the ratio stays put. It fails only when the ratio passes a limit several
# times the measured one (bench/RESULTS.md), i.e. when a change makes the hot path several
# times slower - never on noise. Best of RUNS for each, since the minimum is the most
# stable estimate of what the code can do on a shared machine.
#   usage: guard.sh PATH/TO/logscrub PATH/TO/lsc_gen_corpus POLICY_DIR [sanitized]
# Exits 77 (ctest: skipped) in a sanitizer or Debug build, whose speed says nothing.
set -euo pipefail
LS=$1
GEN=$2
POLICIES=$3
if [ "${4:-}" = sanitized ]; then
    echo "skipped: sanitizer or unoptimised build (its timings say nothing)"
    exit 77
fi
RUNS=5
WORK=$(mktemp -d "${TMPDIR:-/tmp}/logscrub-guard.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

best() { # best wall time in ns of N runs of "$@" < corpus
    local n=$1 corpus=$2 b=0
    shift 2
    for _ in $(seq "$n"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" < "$corpus" > /dev/null
        t1=$(date +%s%N)
        if [ "$b" -eq 0 ] || [ $((t1 - t0)) -lt "$b" ]; then b=$((t1 - t0)); fi
    done
    echo "$b"
}
catcat() { cat | cat; }

status=0
# check NAME CORPUS LIMIT COMMAND...: fails when COMMAND takes more than LIMIT x the pipe.
check() {
    local name=$1 corpus=$2 limit=$3
    shift 3
    local tp tl ratio
    tp=$(best 15 "$corpus" catcat) # the pipe is quick but jittery: more tries
    tl=$(best "$RUNS" "$corpus" "$@")
    ratio=$(awk -v a="$tl" -v b="$tp" 'BEGIN { printf "%.1f", a / b }')
    local mbs
    mbs=$(awk -v s="$(stat -c %s "$corpus")" -v t="$tl" 'BEGIN { printf "%.0f", s / t * 1000 }')
    if awk -v r="$ratio" -v l="$limit" 'BEGIN { exit !(r > l) }'; then
        echo "FAIL - $name: $ratio x the pipe's time (limit $limit x; $mbs MB/s)"
        status=1
    else
        echo "ok - $name: $ratio x the pipe's time (limit $limit x; $mbs MB/s)"
    fi
}

"$GEN" --format nginx --size 48M --seed 5 --plant-rate 0.3 > "$WORK/nginx.log"
"$GEN" --format json --size 48M --seed 5 --plant-rate 0.3 > "$WORK/json.log"
cat "$WORK/nginx.log" "$WORK/json.log" > /dev/null
# Measured on the project VM (2026-12-02, after the candidate-token scan): 2.1-5.6 x
# (nginx, default; the pipe itself varies from about 0.9 to 2.3 GB/s), 6.0-10.6 x (JSON,
# structural). The limits are about 3 x the worst of those: they catch a hot path made
# several times slower (under valgrind --tool=none, about 8 x slower, this printed 22.5 x
# and 59.7 x and failed both), not a slow day.
check "nginx, default policy, one thread" "$WORK/nginx.log" 18 "$LS" -j 1
check "JSON, api-service policy, one thread" "$WORK/json.log" 32 \
    "$LS" -j 1 -p "$POLICIES/api-service.yaml"
exit $status
