#!/usr/bin/env bash
# json.sh - JSON lines scrubbed as structures, through the binary: every output line is
# valid JSON (checked by jq, a real JSON parser) holding exactly the allowed members, no
# planted value survives, and hostile JSON fails closed.
#   usage: json.sh PATH/TO/logscrub PATH/TO/lsc_gen_corpus EXAMPLES-DIR
LS=$1
GEN=$2
EX=$3
. "$(dirname "$0")/lib.sh"
POL=$EX/api-service.yaml

"$GEN" --format json --size 4M --seed 21 --plant-rate 0.5 --planted "$WORK/planted" > "$WORK/in"
"$LS" -p "$POL" --stats "$WORK/in" > "$WORK/out" 2> "$WORK/stats"
expect_eq "exit 0" $? 0
expect_eq "one line out per line in" "$(wc -l < "$WORK/out")" "$(wc -l < "$WORK/in")"
if jq -c . "$WORK/out" > "$WORK/parsed" 2> "$WORK/jqerr"; then
    pass "every output line is valid JSON (jq)"
else
    fail "every output line is valid JSON (jq)" "$(head -3 "$WORK/jqerr")"
fi
expect_eq "every line holds exactly the kept members" \
    "$(jq -c 'keys' "$WORK/out" | sort -u)" \
    '["client_ip","latency_ms","method","path","status","ts"]'
expect_eq "paths keep only page and limit" \
    "$(jq -r '.path | select(contains("?")) | split("?")[1] | split("&")[] | split("=")[0]' \
        "$WORK/out" | sort -u | tr '\n' ' ')" "page "
cut -f2 "$WORK/planted" | sort -u > "$WORK/values"
leaks=$( (grep -o -w -F -f "$WORK/values" "$WORK/out" || true) | sort -u | wc -l)
expect_eq "none of $(wc -l < "$WORK/values") planted values leaks" "$leaks" 0
expect_grep "accounting holds" "lines in $(wc -l < "$WORK/in") = emitted + dropped + quarantined" "$WORK/stats"
expect_grep "members removed are counted" "fields removed" "$WORK/stats"

# Key order and spacing survive; removal keeps the JSON valid wherever the member stands.
printf '{ "b" : 2 , "ts" : "t" , "x" : [1,2] ,"status":200 }\n' | "$LS" -p "$POL" > "$WORK/o1"
expect_file_eq "order and spacing survive" "$WORK/o1" '{ "ts" : "t" , "status":200 }\n'

# Hostile JSON: too deep, not JSON, truncated: fails closed under an allow-list.
{ printf '{"ts":'; head -c 100000 /dev/zero | tr '\0' '['; printf '\n'
  printf '{"ts":"a","body":"x"\n'
  printf '{"ts":"\\u0040"}\n'; } > "$WORK/hostile"
"$LS" -p "$POL" --stats "$WORK/hostile" > "$WORK/o2" 2> "$WORK/stats"
expect_file_eq "hostile JSON fails closed" "$WORK/o2" \
    '[logscrub: line redacted: parse-error]\n[logscrub: line redacted: parse-error]\n{"ts":"\\u0040"}\n'
expect_grep "parse fallback counted" "parse fallback             2" "$WORK/stats"

finish
