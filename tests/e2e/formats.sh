#!/bin/bash
# formats.sh - the real Apache and auth logs (tests/data/real) read as structures: every
# line parses (the one truncated Apache line fails closed), the output parses again with
# the same format (round trip), and no client address of the input survives.
#   usage: formats.sh LOGSCRUB DATA_DIR
. "$(dirname "$0")/lib.sh"
LS=$1
DATA=$2

stat_of() { sed -n "s/^  $1  *\([0-9][0-9]*\).*/\1/p" "$2"; }

# --- Apache combined ---
cat > "$WORK/apache.yaml" <<'YAML'
version: 1
name: real-apache
input: { format: apache }
fields:
  keep: [remote_addr, time_local, request, status, body_bytes_sent, http_referer, http_user_agent]
  remote_addr: { ip: truncate, v4: 24, v6: 48 }
  http_user_agent: { action: user-agent }
text:
  - use: network
  - use: pii
  - use: secrets
YAML
"$LS" -p "$WORK/apache.yaml" --stats < "$DATA/real/apache_combined.log" > "$WORK/a.out" 2> "$WORK/a.err"
expect_eq "apache: exit status" $? 0
expect_eq "apache: every line accounted for" "$(wc -l < "$WORK/a.out")" 10000
expect_eq "apache: only the truncated line falls back" "$(stat_of 'parse fallback' "$WORK/a.err")" 1
expect_eq "apache: it fails closed" "$(grep -c '^\[logscrub: line redacted: parse-error\]$' "$WORK/a.out")" 1
"$LS" -p "$WORK/apache.yaml" --stats < "$WORK/a.out" > "$WORK/a2.out" 2> "$WORK/a2.err"
expect_eq "apache: the output parses as Apache combined again" \
    "$(stat_of 'parse fallback' "$WORK/a2.err")" 1
expect_same_file "apache: scrubbing the output again changes nothing" "$WORK/a2.out" "$WORK/a.out"
awk '{print $1}' "$DATA/real/apache_combined.log" | grep -E '^[0-9.]+$' | grep -v '\.0$' \
    | sort -u > "$WORK/a.ips"
expect_eq "apache: no client address survives" \
    "$(awk '{print $1}' "$WORK/a.out" | grep -cxFf "$WORK/a.ips")" 0
expect_eq "apache: user agents are coarse" \
    "$(awk -F'"' 'NF > 6 {print $(NF-1)}' "$WORK/a.out" | grep -cvE '^[A-Za-z0-9 ._/()-]{1,64}$')" 0
expect_grep "apache: a browser is named by family and major" '"Chrome/32 (macOS)"' "$WORK/a.out"

# --- auth.log as RFC 3164 syslog ---
cat > "$WORK/auth.yaml" <<'YAML'
version: 1
name: real-auth
input: { format: syslog }
fields:
  drop: [hostname]
text:
  - use: network
  - use: pii
  - use: secrets
YAML
"$LS" -p "$WORK/auth.yaml" --stats < "$DATA/real/auth.log" > "$WORK/s.out" 2> "$WORK/s.err"
expect_eq "auth: exit status" $? 0
expect_eq "auth: every line accounted for" "$(wc -l < "$WORK/s.out")" 7121
expect_eq "auth: every line parses as syslog" "$(stat_of 'parse fallback' "$WORK/s.err")" 0
"$LS" -p "$WORK/auth.yaml" --stats < "$WORK/s.out" > "$WORK/s2.out" 2> "$WORK/s2.err"
expect_eq "auth: the output parses as syslog again" "$(stat_of 'parse fallback' "$WORK/s2.err")" 0
expect_eq "auth: no host name survives" "$(awk '$4 != "-"' "$WORK/s.out" | wc -l)" 0
grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}' "$DATA/real/auth.log" | grep -v '\.0$' | sort -u \
    > "$WORK/s.ips"
expect_eq "auth: no address survives" "$(grep -cFwf "$WORK/s.ips" "$WORK/s.out")" 0
finish
