#!/usr/bin/env bash
# cli.sh - end-to-end tests of the logscrub command: framing, exit status, errors,
# flushing, failure handling and real logs.
#   usage: cli.sh PATH/TO/logscrub PATH/TO/tests/data
LS=$1
DATA=$2
. "$(dirname "$0")/lib.sh"

# --- help, version, usage errors (exit 1) ---
"$LS" --help > "$WORK/help"; expect_eq "--help exits 0" $? 0
expect_grep "--help teaches the default policy" "truncated to /24" "$WORK/help"
expect_grep "--help lists exit statuses" "Exit status" "$WORK/help"
expect_eq "--version" "$("$LS" --version)" "logscrub 0.1.0"
"$LS" --bogus </dev/null 2>"$WORK/err"; expect_eq "unknown option exits 1" $? 1
expect_grep "unknown option points at --help" "logscrub --help" "$WORK/err"
"$LS" -p "$WORK/policy.yaml" </dev/null 2>"$WORK/err"; expect_eq "-p with a missing policy exits 1" $? 1
expect_grep "-p names the missing policy" "policy.yaml: cannot open" "$WORK/err"
"$LS" -f xml </dev/null 2>"$WORK/err"; expect_eq "-f xml is refused, not ignored" $? 1
expect_grep "-f xml names the formats" "use text, auto, json, logfmt, nginx, apache or syslog" "$WORK/err"
printf '{"msg":"from 10.1.2.3","password":1234,"k":"a\\u0040b.com"}\nplain 10.1.2.3\n' \
    | "$LS" -f json > "$WORK/out"
expect_file_eq "-f json scrubs values as JSON" "$WORK/out" \
    '{"msg":"from 10.1.2.0","password":"[secret]","k":"[email]"}\nplain 10.1.2.0\n'
printf 'version: 1\nname: f\ninput: {format: json}\nfields: {keep: [a]}\n' > "$WORK/f.yaml"
"$LS" -p "$WORK/f.yaml" -f text </dev/null 2>"$WORK/err"; expect_eq "-f text against field rules exits 1" $? 1
expect_grep "-f text against field rules says why" "contradicts the policy's field rules" "$WORK/err"
"$LS" --max-line 12Q </dev/null 2>"$WORK/err"; expect_eq "bad --max-line exits 1" $? 1
expect_grep "bad --max-line names the value" "12Q" "$WORK/err"
"$LS" --ipv4-prefix 33 </dev/null 2>"$WORK/err"; expect_eq "bad --ipv4-prefix exits 1" $? 1
"$LS" -e 'bad=a(b' </dev/null 2>"$WORK/err"; expect_eq "bad --rule exits 1" $? 1
expect_grep "bad --rule quotes PCRE2" "missing closing parenthesis at offset 3" "$WORK/err"
"$LS" -e 'nolabel' </dev/null 2>"$WORK/err"; expect_eq "--rule without label exits 1" $? 1
"$LS" --on-error quarantine </dev/null 2>"$WORK/err"; expect_eq "quarantine needs a file" $? 1
expect_grep "quarantine error says what is missing" "--quarantine FILE" "$WORK/err"

# --- input and output errors (exit 2) ---
"$LS" "$WORK/missing.log" >/dev/null 2>"$WORK/err"; expect_eq "missing input exits 2" $? 2
expect_grep "missing input is named" "missing.log" "$WORK/err"
"$LS" "$WORK" >/dev/null 2>"$WORK/err"; expect_eq "a directory as input exits 2" $? 2
expect_grep "read error is explained" "Is a directory" "$WORK/err"
echo "a" | "$LS" -o "$WORK/no/such/dir/out" 2>"$WORK/err"; expect_eq "unwritable -o exits 2" $? 2
if [ -w /dev/full ]; then
    echo "a 1.2.3.4" | "$LS" > /dev/full 2>"$WORK/err"; expect_eq "full disk exits 2" $? 2
    expect_grep "full disk is explained" "No space left" "$WORK/err"
fi
# A reader that goes away: status 2, and no noise on stderr.
yes "client 1.2.3.4 jane@example.com" | head -n 200000 > "$WORK/many.log"
set -o pipefail
"$LS" "$WORK/many.log" 2>"$WORK/err" | head -n 1 > /dev/null
st=$?
set +o pipefail
expect_eq "closed pipe ends with status 2" "$st" 2
expect_eq "closed pipe is quiet" "$(cat "$WORK/err")" ""

# --- framing ---
printf '' | "$LS" > "$WORK/out"; expect_file_eq "empty input, empty output" "$WORK/out" ''
printf 'a 1.2.3.4\nb 5.6.7.8' | "$LS" > "$WORK/out"
expect_file_eq "final line without newline keeps none" "$WORK/out" 'a 1.2.3.0\nb 5.6.7.0'
printf 'a 1.2.3.4\r\n\r\n\n' | "$LS" > "$WORK/out"
expect_file_eq "CRLF and empty lines kept" "$WORK/out" 'a 1.2.3.0\r\n\r\n\n'
printf 'x\0y 10.0.0.1 \377\376\n' | "$LS" > "$WORK/out"
expect_file_eq "NUL and invalid UTF-8 pass" "$WORK/out" 'x\0y 10.0.0.0 \377\376\n'
printf 'a 1.2.3.4\n' > "$WORK/f1"; printf 'b jane@example.com\n' > "$WORK/f2"
"$LS" "$WORK/f1" - "$WORK/f2" < "$WORK/f1" > "$WORK/out"
expect_file_eq "several inputs and '-' in order" "$WORK/out" 'a 1.2.3.0\na 1.2.3.0\nb [email]\n'
"$LS" -o "$WORK/o.log" "$WORK/f2"; expect_file_eq "-o writes a file" "$WORK/o.log" 'b [email]\n'

# --- long lines: 16 MiB, over and under --max-line ---
{ printf 'first 1.2.3.4\n'; head -c 16777216 /dev/zero | tr '\0' 'a'; printf ' 9.8.7.6\nlast\n'; } > "$WORK/long.log"
"$LS" --stats "$WORK/long.log" > "$WORK/out" 2> "$WORK/stats"
expect_file_eq "16 MiB line over --max-line is redacted" "$WORK/out" \
    'first 1.2.3.0\n[logscrub: line redacted: oversize]\nlast\n'
expect_grep "oversize line is counted" "oversize 1" "$WORK/stats"
expect_grep "accounting holds" "lines in 3 = emitted + dropped + quarantined 3" "$WORK/stats"
"$LS" --max-line 32M "$WORK/long.log" > "$WORK/out"
expect_eq "16 MiB line under --max-line is scrubbed in full" \
    "$(tail -c 16 "$WORK/out" | head -n 1)" "aa 9.8.7.0"
expect_eq "scrubbed long line keeps its length" "$(wc -c < "$WORK/out")" "$(wc -c < "$WORK/long.log")"
"$LS" --max-line 1M --quarantine "$WORK/q.log" --strict "$WORK/long.log" > "$WORK/out" 2>/dev/null
expect_eq "--strict with quarantined lines exits 3" $? 3
expect_eq "quarantine holds the raw long line" "$(wc -c < "$WORK/q.log")" "$((16777216 + 9))"
expect_file_eq "quarantined line leaves no trace in output" "$WORK/out" 'first 1.2.3.0\nlast\n'
"$LS" --on-error drop --stats "$WORK/long.log" > "$WORK/out" 2> "$WORK/stats"
expect_file_eq "--on-error drop" "$WORK/out" 'first 1.2.3.0\nlast\n'
expect_grep "drop is counted" "dropped                    1" "$WORK/stats"

# --- fail closed on a rule error: never the raw line ---
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab planted-9f8e7d\nok aaa\n' > "$WORK/redos.log"
"$LS" --stats -e 'r=(a+)+$' --match-limit 1000 "$WORK/redos.log" > "$WORK/out" 2> "$WORK/stats"
expect_no_grep "match limit: planted value not emitted" "planted-9f8e7d" "$WORK/out"
expect_file_eq "match limit: line redacted, next line fine" "$WORK/out" \
    '[logscrub: line redacted: rule-error]\nok [r]\n'
expect_grep "rule error counted" "rule-error 1" "$WORK/stats"

# --- custom rule ---
printf 'see TICKET-123456\n' | "$LS" -e 'ticket=TICKET-\d{6}' > "$WORK/out"
expect_file_eq "--rule replaces with its label" "$WORK/out" 'see [ticket]\n'

# --- interactive pipe: each line comes out before input ends ---
mkfifo "$WORK/fifo"
# The second line is written 6 s after the first; the first must arrive within 4 s.
( printf 'one 1.2.3.4\n'; sleep 6; printf 'two\n' ) | "$LS" > "$WORK/fifo" &
exec 3< "$WORK/fifo"
IFS= read -r -t 4 first <&3; rc=$?
expect_eq "interactive: first line arrives before input ends" "$rc:$first" "0:one 1.2.3.0"
IFS= read -r -t 10 second <&3
expect_eq "interactive: second line follows" "$second" "two"
exec 3<&-
wait

# --- real logs: every client address is truncated, accounting holds ---
"$LS" --stats "$DATA/real/apache_combined.log" > "$WORK/apache.out" 2> "$WORK/stats"
expect_eq "apache: one line out per line in" "$(wc -l < "$WORK/apache.out")" \
    "$(wc -l < "$DATA/real/apache_combined.log")"
cut -d' ' -f1 "$DATA/real/apache_combined.log" | sort -u | grep -v '\.0$' > "$WORK/clients"
leaks=$(grep -c -w -F -f "$WORK/clients" "$WORK/apache.out")
expect_eq "apache: no client address survives ($(wc -l < "$WORK/clients") distinct)" "$leaks" 0
expect_grep "apache: accounting holds" "accounting      lines in 10000 = emitted + dropped + quarantined 10000" "$WORK/stats"
"$LS" "$DATA/real/auth.log" > "$WORK/auth.out"
grep -oE '\b([0-9]{1,3}\.){3}[0-9]{1,3}\b' "$DATA/real/auth.log" | sort -u | grep -v '\.0$' > "$WORK/authips"
leaks=$(grep -oE '\b([0-9]{1,3}\.){3}[0-9]{1,3}\b' "$WORK/auth.out" | grep -c -v '\.0$')
expect_eq "auth.log: no address survives ($(wc -l < "$WORK/authips") distinct)" "$leaks" 0
expect_eq "auth.log: line count" "$(wc -l < "$WORK/auth.out")" "$(wc -l < "$DATA/real/auth.log")"

finish
