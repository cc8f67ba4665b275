#!/usr/bin/env bash
# run.sh - logscrub beside the pipe limit and the peer tools, on generated corpora.
#
#   bench/run.sh [SIZE] [RUNS]      SIZE of each corpus (default 200M), RUNS per tool (5)
#
# Builds nothing: it uses build/logscrub and build/lsc_gen_corpus (override with $BUILD).
# logscrub runs with one thread and with -j 2, with the default policy and a structural one
# (bench/policies/nginx-structural.yaml, docs/examples/api-service.yaml). rsyslog's mmanon
# runs when rsyslogd is installed, syslog-ng when SYSLOG_NG_ROOT names an unpacked
# syslog-ng-core (bench/peers/*.sh say how).
# For each corpus (nginx combined, JSON lines; deterministic, seed 42, 30% of lines carry
# planted personal data) it prints the median MB/s and lines/s of each tool, its peak RSS,
# its ratio to `cat | cat`, and how many distinct planted values leaked into its output -
# so speed is never compared without coverage. Peers run only if installed, in the C locale
# (sed and perl are several times slower under a UTF-8 locale). This VM's run-to-run noise
# is large (+-30%), so both the median and the best run are shown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
BUILD=${BUILD:-$top/build}
SIZE=${1:-200M}
RUNS=${2:-5}
export LC_ALL=C
OUT=$here/out
mkdir -p "$OUT"
LS=$BUILD/logscrub
GEN=$BUILD/lsc_gen_corpus
for b in "$LS" "$GEN"; do
    [ -x "$b" ] || { echo "run.sh: $b not found; build first (cmake --build build)" >&2; exit 1; }
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench_one NAME CORPUS COMMAND...  (COMMAND reads CORPUS on stdin, writes stdout)
bench_one() {
    local name=$1 corpus=$2
    shift 2
    local times=() rss=0
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s.%N)
        /usr/bin/time -f %M -o "$OUT/rss" "$@" < "$corpus" > /dev/null 2>/dev/null
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
        rss=$(cat "$OUT/rss")
    done
    local t best bytes lines leaks
    t=$(printf '%s\n' "${times[@]}" | median)
    best=$(printf '%s\n' "${times[@]}" | sort -g | head -n 1)
    bytes=$(stat -c %s "$corpus")
    lines=$(wc -l < "$corpus")
    # One more run into a file, untimed, for the leak count.
    "$@" < "$corpus" > "$OUT/result" 2>/dev/null
    leaks=$( (grep -o -w -F -f "$OUT/$(basename "$corpus" .log).values" "$OUT/result" || true) \
        | sort -u | wc -l)
    rm -f "$OUT/result"
    printf '%-28s %9.1f %9.1f %12.0f %9.1f %8.2f %9s\n' "$name" \
        "$(echo "$bytes / $t / 1000000" | bc -l)" "$(echo "$bytes / $best / 1000000" | bc -l)" \
        "$(echo "$lines / $t" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$PIPE_T / $t" | bc -l)" "$leaks"
}

catcat() { cat | cat; }
export -f catcat

echo "# $(date -u +%Y-%m-%d) logscrub $("$LS" --version | cut -d' ' -f2) $(git -C "$top" rev-parse --short HEAD 2>/dev/null);" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
     "$(nproc) cores; corpus $SIZE each; median of $RUNS runs"
for fmt in nginx json; do
    corpus=$OUT/$fmt.log
    if [ ! -s "$corpus" ] || [ "$(cat "$OUT/$fmt.size" 2>/dev/null)" != "$SIZE" ]; then
        "$GEN" --format "$fmt" --size "$SIZE" --seed 42 --plant-rate 0.3 \
            --planted "$OUT/$fmt.planted" > "$corpus"
        echo "$SIZE" > "$OUT/$fmt.size"
    fi
    cut -f2 "$OUT/$fmt.planted" | sort -u > "$OUT/$fmt.values"
    cat "$corpus" > /dev/null # page cache
    echo
    echo "## $fmt: $(wc -l < "$corpus") lines, $(stat -c %s "$corpus") bytes," \
         "$(wc -l < "$OUT/$fmt.values") distinct planted values"
    printf '%-28s %9s %9s %12s %9s %8s %9s\n' tool MB/s best_MB/s lines/s RSS_MiB vs_pipe leaked
    # vs_pipe: the tool's median time against the median of `cat | cat` in this same run.
    pts=()
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s.%N); bash -c catcat < "$corpus" > /dev/null; t1=$(date +%s.%N)
        pts+=("$(echo "$t1 - $t0" | bc -l)")
    done
    PIPE_T=$(printf '%s\n' "${pts[@]}" | median)
    bench_one "cat | cat (pipe limit)" "$corpus" bash -c catcat
    if [ "$fmt" = json ]; then
        structural=(-p "$top/docs/examples/api-service.yaml")
        sname="api-service"
    else
        structural=(-p "$here/policies/nginx-structural.yaml")
        sname="nginx-structural"
    fi
    for j in 1 2; do
        bench_one "logscrub -j $j (default policy)" "$corpus" "$LS" -j $j
        bench_one "logscrub -j $j ($sname)" "$corpus" "$LS" -j $j "${structural[@]}"
    done
    bench_one "sed -E (IPv4 only)" "$corpus" sed -E -f "$here/peers/ipv4-mask.sed"
    bench_one "perl (IPv4, query, email)" "$corpus" perl -p "$here/peers/naive-scrub.pl"
    if command -v rg > /dev/null; then
        bench_one "ripgrep (IPv4 only)" "$corpus" rg --passthru -N -r '$1.0' \
            '\b([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}\b'
    fi
    if command -v rsyslogd > /dev/null; then
        bench_one "rsyslog mmanon (IPv4, IPv6)" "$corpus" "$here/peers/rsyslog-mmanon.sh"
    fi
    if [ -n "${SYSLOG_NG_ROOT:-}" ]; then
        bench_one "syslog-ng subst (IPv4 only)" "$corpus" "$here/peers/syslog-ng-subst.sh"
    fi
    if command -v anonip > /dev/null; then
        if [ "$fmt" = nginx ]; then
            bench_one "anonip (one IP column)" "$corpus" anonip --ipv4mask 8 --ipv6mask 80 --column 1
        else
            bench_one "anonip (one IP field)" "$corpus" anonip --ipv4mask 8 --ipv6mask 80 \
                --regex '^.*?"client_ip":"([^"]+)"'
        fi
    fi
done
