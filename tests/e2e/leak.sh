#!/usr/bin/env bash
# leak.sh - the leak check: generate nginx, JSON-lines, logfmt and syslog logs with planted
# values of every class the default policy protects, scrub them (format auto, and read as
# their structure), and grep the output for each planted value. Any hit is a privacy
# failure. Structured output must also parse again as the same format.
#   usage: leak.sh PATH/TO/logscrub PATH/TO/lsc_gen_corpus PATH/TO/tests/data
LS=$1
GEN=$2
. "$(dirname "$0")/lib.sh"

# Each corpus is scrubbed with the default policy (format auto) and read as its structure
# (-f nginx, -f json): field-by-field scanning must catch all that whole-line scanning does.
for run in nginx:auto json:auto logfmt:auto syslog:auto nginx:nginx json:json logfmt:logfmt \
    syslog:syslog; do
    fmt=${run%%:*}
    how=${run#*:}
    [ -f "$WORK/$fmt.log" ] ||
        "$GEN" --format $fmt --size 8M --seed 7 --plant-rate 0.5 --planted "$WORK/$fmt.planted" \
            > "$WORK/$fmt.log"
    "$LS" -f "$how" --stats "$WORK/$fmt.log" > "$WORK/$fmt.out" 2> "$WORK/$fmt.stats"
    expect_eq "$fmt -f $how: no line falls back" \
        "$(sed -n 's/^  parse fallback  *\([0-9]*\).*/\1/p' "$WORK/$fmt.stats")" 0
    expect_eq "$fmt -f $how: one line out per line in" "$(wc -l < "$WORK/$fmt.out")" \
        "$(wc -l < "$WORK/$fmt.log")"
    cut -f2 "$WORK/$fmt.planted" | sort -u > "$WORK/$fmt.values"
    total=$(wc -l < "$WORK/$fmt.values")
    # Every planted value is really in the input (otherwise the check proves nothing).
    missing=$(grep -c -v -F -x -f <(grep -o -w -F -f "$WORK/$fmt.values" "$WORK/$fmt.log" | sort -u) "$WORK/$fmt.values")
    expect_eq "$fmt: all $total planted values are in the input" "$missing" 0
    grep -o -w -F -f "$WORK/$fmt.values" "$WORK/$fmt.out" | sort -u > "$WORK/$fmt.leaks"
    leaks=$(wc -l < "$WORK/$fmt.leaks")
    echo "# $fmt: planted per class (distinct values):"
    cut -f1 "$WORK/$fmt.planted" | sort | uniq -c | sed 's/^/#   /'
    expect_eq "$fmt -f $how: none of $total planted values leaks" "$leaks" 0
    [ "$leaks" -eq 0 ] || head -5 "$WORK/$fmt.leaks" | sed 's/^/    leaked: /'
    expect_grep "$fmt -f $how: accounting holds" "= emitted + dropped + quarantined" "$WORK/$fmt.stats"
    if [ "$how" != auto ]; then
        # Round trip: what comes out is read as the same format again, every line of it.
        "$LS" -f "$how" --stats "$WORK/$fmt.out" > /dev/null 2> "$WORK/$fmt.stats2"
        expect_eq "$fmt -f $how: the output parses as $how again" \
            "$(sed -n 's/^  parse fallback  *\([0-9]*\).*/\1/p' "$WORK/$fmt.stats2")" 0
    fi
done

finish
