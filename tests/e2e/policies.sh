#!/usr/bin/env bash
# policies.sh - the five shipped privacy policies (patterns/policies/), each over a
# generated log of 3,000 lines with forbidden values planted: none survives, every allowed
# value does, the output still parses, expiry tags match the retention, and expire and
# erase do what the clauses say. docs/policies.md points here for each clause.
#   usage: policies.sh PATH/TO/logscrub PATH/TO/patterns/policies
LS=$(realpath "$1")
POLICIES=$(realpath "$2")
GEN=$(realpath "$(dirname "$0")/gen_policy_logs.pl")
. "$(dirname "$0")/lib.sh"
NOW=$(date -u +%s)
cd "$WORK" || exit 1

# later DURATION: now plus DURATION ("31 days", "3 months 1 day"), as RFC 3339.
later() { date -u -d "$(date -u -d "@$NOW" '+%Y-%m-%d %H:%M:%S UTC') + $1" +%Y-%m-%dT%H:%M:%SZ; }

# scrub KIND: generates KIND's log and scrubs it with its policy into KIND.out.
scrub() {
    perl "$GEN" "$1" 3000 7 "$NOW" "$WORK"
    expect_eq "$1: 3,000 lines generated" "$(wc -l < "$1.log")" 3000
    "$LS" -p "$POLICIES/$1.yaml" --stats "$1.log" > "$1.out" 2> "$1.stats"
}

# common_checks KIND: no forbidden value in the output, every allowed value in it.
common_checks() {
    local k=$1 total leaked missing
    total=$(sort -u "$k.forbidden" | wc -l)
    # Every planted value really is in the input, or the check proves nothing.
    missing=$(grep -v -c -x -F -f <(grep -o -F -f "$k.forbidden" "$k.log" | sort -u) \
        <(sort -u "$k.forbidden"))
    expect_eq "$k: all $total forbidden values are planted in the input" "$missing" 0
    grep -o -F -f "$k.forbidden" "$k.out" | sort -u > "$k.leaks"
    expect_eq "$k: none of the $total forbidden values survives" "$(wc -l < "$k.leaks")" 0
    [ -s "$k.leaks" ] && head -5 "$k.leaks"
    missing=$(grep -v -c -x -F -f <(grep -o -w -F -f "$k.allowed" "$k.out" | sort -u) \
        <(sort -u "$k.allowed"))
    expect_eq "$k: all $(sort -u "$k.allowed" | wc -l) allowed values survive" "$missing" 0
    expect_eq "$k: one line out per line in" "$(wc -l < "$k.out")" "$(wc -l < "$k.log")"
}

# json_keys KIND: the set of top-level keys over all output lines (each line must parse).
json_keys() { jq -c -s 'map(keys) | add | unique' "$1.out"; }

# expires_ok KIND MEMBER-OR-TAG DURATION: on the first 20 lines, the expiry equals the
# record's time plus DURATION (as date(1) computes it).
expires_ok() {
    local k=$1 dur=$2 bad=0 ts exp want
    while IFS=$'\t' read -r ts exp; do
        want=$(date -u -d "$ts $dur" +%Y-%m-%dT%H:%M:%SZ)
        [ "$exp" = "$want" ] || { bad=$((bad + 1)); echo "    $ts + $dur: $exp, want $want"; }
    done
    expect_eq "$k: _expires is the record's time + $dur" "$bad" 0
}

# ---------------------------------------------------------------- local-ai-toolkit
k=local-ai-toolkit
scrub $k
common_checks $k
expect_eq "$k: only operational metadata members remain" "$(json_keys $k)" \
    '["endpoint","error","event","latency_ms","level","method","model","provider","request_id","status","ts","usage"]'
expect_eq "$k: errors keep only type and code" \
    "$(jq -c -s 'map(.error | keys) | add | unique' $k.out)" '["code","type"]'
expect_eq "$k: no endpoint keeps a query" "$(jq -r .endpoint $k.out | grep -c '?')" 0
expect_grep "$k: an e-mail in a kept value is replaced" '"code":"[email]"' $k.out
expect_grep "$k: a phone number in a kept value is replaced" '"code":"[phone]"' $k.out
expect_grep "$k: a key in a kept value is replaced" '"code":"[secret]"' $k.out

# ---------------------------------------------------------------- cloud-ai-pool
k=cloud-ai-pool
scrub $k
common_checks $k
expect_eq "$k: operation, account, address and device model remain" "$(json_keys $k)" \
    '["client_ip","device_model","duration_ms","job_id","op","status","ts","user_id"]'
expect_eq "$k: access addresses are kept whole" \
    "$(jq -r .client_ip $k.out | sort -u | wc -l)" 50
expect_eq "$k: no cookie reaches the log" "$(grep -c -i -e cookie -e 'sid=' $k.out)" 0
# A user's data deleted at any time: by account, then by address, in place.
mkdir pool && cp $k.out pool/ops.log && gzip -c $k.out > pool/ops.log.1.gz
before=$(wc -l < pool/ops.log)
u7=$(grep -c '"user_id":"u_7"' pool/ops.log)
"$LS" erase -p "$POLICIES/$k.yaml" --subject user_id=u_7 --in-place pool 2> erase.err
expect_eq "$k: erase by user removes all of that user's records" \
    "$(grep -c '"user_id":"u_7"' pool/ops.log; zcat pool/ops.log.1.gz | grep -c '"user_id":"u_7"')" "0
0"
expect_eq "$k: and only those" "$(wc -l < pool/ops.log)" $((before - u7))
"$LS" erase -p "$POLICIES/$k.yaml" --subject ip=198.51.100.9 --in-place pool 2> erase.err
expect_eq "$k: erase by access address, in every file" \
    "$(cat pool/ops.log <(zcat pool/ops.log.1.gz) | grep -c -F '"198.51.100.9"')" 0
# "Deletion is physical": no copy of the old file is left by logscrub - no backup, no
# temporary, nothing beside the two files.
expect_eq "$k: no backup or temporary file is left" "$(ls -A pool | tr '\n' ' ')" \
    "ops.log ops.log.1.gz "
expect_eq "$k: the rewritten archive is still gzip" "$(zcat pool/ops.log.1.gz | wc -l)" \
    "$(wc -l < pool/ops.log)"

# ---------------------------------------------------------------- annotation-service
k=annotation-service
scrub $k
common_checks $k
expect_eq "$k: lines with an upload body appended fail closed (60 of them)" \
    "$(grep -c -x '\[logscrub: line redacted: parse-error\]' $k.out)" 60
# Every other line has exactly the combined layout's fields, the login name as "-", the
# user agent as browser and OS, and the expiry three months on.
grep -v '^\[logscrub' $k.out > $k.kept
expect_eq "$k: the login name is never kept" "$(awk '$3 != "-"' $k.kept | wc -l)" 0
expect_eq "$k: browser/OS only" \
    "$(grep -o '"[^"]*" expires=' $k.kept | sort -u | tr '\n' ' ')" \
    '"Chrome/120 (Windows)" expires= "Firefox/121 (Linux)" expires= "Safari/17 (iOS)" expires= '
expect_eq "$k: the referrer keeps its site, not its query" "$(grep -c 'projects?' $k.kept)" 0
head -20 $k.kept | sed -E 's/^[^[]*\[([^]]*)\].* expires=(.*)$/\1\t\2/' |
    while IFS=$'\t' read -r t e; do
        printf '%s\t%s\n' "$(echo "$t" | sed -E 's|^([0-9]+)/([A-Za-z]+)/([0-9]+):([0-9:]+) .*|\1 \2 \3 \4 UTC|')" "$e"
    done > $k.times
expires_ok $k "+3 months" < $k.times
# "Stored at most three months": expire deletes nothing before, everything after.
mkdir web && cp $k.out web/access.log
"$LS" expire --now "$(later "0 days")" --in-place web 2> exp.err
expect_eq "$k: expire today removes nothing" "$(wc -l < web/access.log)" 3000
"$LS" expire --now "$(later "3 months 1 day")" --in-place web \
    2> exp.err
# (The 60 markers hold no data and no time: they stay.)
expect_eq "$k: three months and a day later, only the markers are left" \
    "$(grep -c -v '^\[logscrub: line redacted' web/access.log):$(wc -l < web/access.log)" "0:60"

# ---------------------------------------------------------------- api-gateway
k=api-gateway
scrub $k
common_checks $k
expect_eq "$k: metadata only" "$(json_keys $k)" \
    '["_expires","_next_stage","client_ip","device_id","error","latency_ms","method","path","status","success","ts","user_agent"]'
expect_eq "$k: browser and OS only" "$(jq -r .user_agent $k.out | sort -u | tr '\n' ' ')" \
    "Chrome/120 (Windows) Firefox/121 (Linux) Safari/17 (iOS) "
jq -r '[.ts, ._expires] | @tsv' $k.out | head -20 > $k.times
expires_ok $k "+1 year" < $k.times
bad=$(jq -r 'select(._next_stage != ((.ts | fromdate) + 30 * 86400 | todate)) | .ts' $k.out | wc -l)
expect_eq "$k: _next_stage is the record's time + 30 days" "$bad" 0
# "kept one month, then anonymised": 31 days after the newest record, every record has lost
# its address and device identifier and kept the rest.
mkdir gw && cp $k.out gw/api.log
"$LS" expire -p "$POLICIES/$k.yaml" --now "$(later "31 days")" \
    --in-place gw 2> exp.err
expect_eq "$k: after a month, no address or device identifier is left" \
    "$(jq -c -s 'map(keys) | add | unique' gw/api.log)" \
    '["_expires","error","latency_ms","method","path","status","success","ts","user_agent"]'
expect_eq "$k: and every record is still there" "$(wc -l < gw/api.log)" 3000
expect_grep "$k: expire says each record advanced a stage" "3000 advanced a stage" exp.err
"$LS" expire -p "$POLICIES/$k.yaml" --now "$(later "1 year 1 day")" \
    --in-place gw 2> exp.err
expect_eq "$k: after a year the anonymised records are deleted" "$(wc -l < gw/api.log)" 0

# ---------------------------------------------------------------- ai-model-platform
k=ai-model-platform
scrub $k
common_checks $k
expect_eq "$k: API calls keep metadata only" \
    "$(jq -c -s 'map(select(.kind == "api_call") | keys) | add | unique' $k.out)" \
    '["_expires","account_id","endpoint","kind","latency_ms","model","status","ts","usage"]'
expect_eq "$k: cards in conversations are replaced" \
    "$(jq -r 'select(.kind == "conversation") | .conversation.messages[0].content' $k.out |
        grep -c -v -E '^conv[0-9a-f]{10} card \[card\] iban \[iban\]$')" 0
jq -r '[.ts, ._expires] | @tsv' $k.out | head -20 > $k.times
expires_ok $k "+12 months" < $k.times
mkdir mp && cp $k.out mp/platform.log
convs=$(grep -c '"kind":"conversation"' mp/platform.log)
# "conversation content is kept 90 days": on day 91 after the newest record it is gone,
# and the records themselves stay.
"$LS" expire -p "$POLICIES/$k.yaml" --now "$(later "91 days")" \
    --in-place mp 2> exp.err
expect_eq "$k: after 90 days no conversation content is left" \
    "$(grep -c -E -e '"conversation":' -e 'conv[0-9a-f]{10}' mp/platform.log)" 0
expect_eq "$k: but the $convs conversation records are" \
    "$(grep -c '"kind":"conversation"' mp/platform.log)" "$convs"
# "account data gone 30 days after account deletion": erase, run when that day comes.
a5=$(grep -c '"account_id":"acct_5"' mp/platform.log)
"$LS" erase -p "$POLICIES/$k.yaml" --subject account_id=acct_5 --in-place mp 2> erase.err
expect_eq "$k: erase removes the deleted account's $a5 records" \
    "$(grep -c '"account_id":"acct_5"' mp/platform.log)" 0
expect_eq "$k: and nothing else" "$(wc -l < mp/platform.log)" $((3000 - a5))
"$LS" expire -p "$POLICIES/$k.yaml" --now "$(later "12 months 1 day")" \
    --in-place mp 2> exp.err
expect_eq "$k: after 12 months the log data is gone" "$(wc -l < mp/platform.log)" 0

# ---------------------------------------------------------------- all five
for p in "$POLICIES"/*.yaml; do
    "$LS" check "$p" > /dev/null 2> check.err || fail "check $(basename "$p")" "$(cat check.err)"
done
pass "every shipped policy passes logscrub check"
finish
