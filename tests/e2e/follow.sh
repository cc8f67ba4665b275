#!/usr/bin/env bash
# follow.sh - `logscrub follow`, the sidecar: rotation, restarts, reloads, kill -9,
# copytruncate, inode reuse, reopen, metrics, and a soak that does all of them at once
# while a writer appends at a steady rate: every line written comes out exactly once,
# scrubbed, except the counted copytruncate window.
#   usage: follow.sh PATH/TO/logscrub [SOAK_SECONDS]   (default 20; LOGSCRUB_SOAK_SECONDS too)
LS=$(realpath "$1")
SOAK=${2:-${LOGSCRUB_SOAK_SECONDS:-20}}
. "$(dirname "$0")/lib.sh"
WRITER=$(realpath "$(dirname "$0")/follow_writer.pl")
cd "$WORK" || exit 1

# Both have a pattern rule that rewrites "mail" as itself: the lines stay the same, and
# the per-rule counter shows (and survives reloads).
cat > v1.yaml <<'EOF'
version: 1
name: v1
text:
  - use: network
  - use: pii
  - name: mailword
    pattern: '\bmail\b'
    action: replace
    with: mail
EOF
cat > v2.yaml <<'EOF'
version: 1
name: v2
text:
  - detector: ipv4
    action: redact
    label: gone
  - use: pii
  - name: mailword
    pattern: '\bmail\b'
    action: replace
    with: mail
EOF
cp v1.yaml policy.yaml

PID=
# start NAME ARGS...: logscrub follow in the background, stderr to NAME.err
start() {
    local name=$1
    shift
    "$LS" follow -p policy.yaml --state state --rotate-wait 0.3 --poll-interval 0.05 \
        --checkpoint-interval 0.2 "$@" 2>> "$name.err" &
    PID=$!
    sleep 0.3
}
# stop: TERM, and the exit status must be 0 (a sanitizer report makes it not)
STOP_FAILS=0
stop() {
    kill -TERM "$PID" 2> /dev/null
    wait "$PID"
    local rc=$?
    if [ $rc -ne 0 ]; then
        STOP_FAILS=$((STOP_FAILS + 1))
        fail "logscrub follow exited with status $rc after TERM" "$(tail -5 ./*.err 2> /dev/null)"
    fi
    return $rc
}
# wait_for FILE COUNT: until FILE has COUNT lines (at most 10 s)
wait_for() {
    for _ in $(seq 200); do
        [ "$(wc -l < "$1" 2> /dev/null || echo 0)" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
lines() { for i in $(seq "$2" "$3"); do echo "$1 $i from 10.0.$((i % 250)).$((i % 199 + 1)) mail u$i@example.com"; done; }

# ---- basics: new lines, rename rotation, a file that appears later ----
mkdir basic && cd basic && cp ../policy.yaml .
lines a 1 3 > app.log
start basic -o out.log app.log 'late-*.log'
lines a 4 6 >> app.log
mv app.log app.log.1
lines a 7 8 >> app.log.1 # the writer has not reopened yet: still the old file
lines a 9 10 >> app.log
lines b 1 2 > late-1.log
wait_for out.log 12
stop; rc=$?
expect_eq "basic: drains and exits 0 on TERM" "$rc" 0
expect_eq "basic: every line once, in file order" \
    "$(grep -o '^a [0-9]*' out.log | tr '\n' ' ')" "a 1 a 2 a 3 a 4 a 5 a 6 a 7 a 8 a 9 a 10 "
expect_eq "basic: a file that appears later is read" "$(grep -c '^b ' out.log)" 2
expect_eq "basic: scrubbed" "$(grep -c -E '10\.0\.[0-9]+\.[1-9]|@example' out.log)" 0
expect_grep "basic: the rotation is reported" "was rotated or removed" basic.err
# (The rotated file, still being drained, is listed under the name it was found by.)
expect_eq "basic: the state names the followed files" \
    "$(grep -c ' app\.log$' state | grep -c -v '^0$'):$(grep -c ' late-1\.log$' state)" "1:1"

# ---- a glob that matches logscrub's own output does not feed it back ----
mkdir self && cd self && cp ../policy.yaml .
lines s 1 3 > a.log
start self -o out.log '*.log'
lines s 4 5 >> a.log
wait_for out.log 5
sleep 0.5
stop
expect_eq "its own output, matched by the glob, is not followed" "$(wc -l < out.log)" 5
cd ..

# ---- restart: lines written while it was down come out once ----
lines a 11 15 >> app.log
start basic -o out.log app.log 'late-*.log'
wait_for out.log 17
stop
expect_eq "restart: the lines written while down, once" \
    "$(grep -o '^a [0-9]*' out.log | sort | uniq -d | wc -l):$(grep -c '^a ' out.log)" "0:15"

# ---- rotated while down: the old file is read from its checkpoint to its end ----
lines a 16 17 >> app.log
mv app.log app.log.2
lines a 18 19 >> app.log
start basic -o out.log app.log 'late-*.log'
wait_for out.log 21
stop
expect_eq "rotated while down: nothing lost, nothing twice" \
    "$(grep -o '^a [0-9]*' out.log | sort -u | wc -l):$(grep -c '^a ' out.log)" "19:19"
expect_grep "rotated while down: reported" "while logscrub was down" basic.err
cd ..

# ---- inode reuse: a checkpointed inode with other contents is read from the start ----
mkdir reuse && cd reuse && cp ../policy.yaml .
lines r 1 4 > app.log
read -r dev ino < <(stat -c '%d %i' app.log)
printf 'logscrub-state 2\n%s %s 60 60 16 0123456789abcdef app.log\n' "$dev" "$ino" > state
start reuse -o out.log app.log
wait_for out.log 4
stop
expect_eq "inode reuse: read from the start" "$(grep -c '^r ' out.log)" 4
expect_grep "inode reuse: reported" "inode reused" reuse.err
printf 'not a state\n' > state
"$LS" follow -p policy.yaml --state state app.log 2> bad.err; rc=$?
expect_eq "a file that is not a state file: refused (status 1)" "$rc" 1
expect_grep "a file that is not a state file: says so" "is not a logscrub state file" bad.err
cd ..

# ---- copytruncate: detected, counted, the rest read ----
mkdir trunc && cd trunc && cp ../policy.yaml .
lines t 1 5 > app.log
start trunc -o out.log --metrics-file m.prom --metrics-interval 0.2 app.log
wait_for out.log 5
cp app.log app.log.1 && : > app.log
lines u 1 3 >> app.log
wait_for out.log 8
sleep 0.4
stop
expect_eq "copytruncate: the lines after the truncation are read" "$(grep -c '^u ' out.log)" 3
expect_grep "copytruncate: warned" "truncated in place (copytruncate)" trunc.err
expect_grep "copytruncate: counted in the metrics" "logscrub_copytruncate_total 1" m.prom
cd ..

# ---- reload: a new policy takes effect between cycles; a bad one is refused ----
mkdir reload && cd reload && cp ../v1.yaml policy.yaml
lines h 1 2 > app.log
start reload -o out.log --metrics-file m.prom --metrics-interval 0.1 app.log
wait_for out.log 2
cp ../v2.yaml policy.yaml
kill -HUP "$PID"; sleep 0.3
lines h 3 4 >> app.log
wait_for out.log 4
printf 'version: 1\nname: broken\ntext:\n  - use: nosuchpack\n' > policy.yaml
kill -HUP "$PID"; sleep 0.3
lines h 5 6 >> app.log
wait_for out.log 6
sleep 0.3
stop
expect_eq "reload: before, addresses truncated" "$(grep -c '^h [12] from 10\.0\.[0-9]*\.0 ' out.log)" 2
expect_eq "reload: after, the new policy's label" "$(grep -c '^h [34] from \[gone\] ' out.log)" 2
expect_eq "reload: a bad policy keeps the last good one running" \
    "$(grep -c '^h [56] from \[gone\] ' out.log)" 2
expect_grep "reload: the refusal is logged" "reload refused" reload.err
expect_grep "reload: counted ok" "logscrub_reloads_total 1" m.prom
expect_grep "reload: counted failed" "logscrub_reload_failures_total 1" m.prom
expect_grep "metrics: the policy is exported" 'logscrub_policy_info{name="v2",sha256="' m.prom
expect_grep "metrics: lines in" "logscrub_lines_in_total 6" m.prom
expect_grep "metrics: per pattern rule, across reloads" \
    'logscrub_rule_replacements_total{rule="mailword"} 6' m.prom
cd ..

# ---- USR1 reopens the output (logrotate of our own output) ----
mkdir reopen && cd reopen && cp ../policy.yaml .
lines o 1 2 > app.log
start reopen -o out.log app.log
wait_for out.log 2
mv out.log out.log.1
kill -USR1 "$PID"; sleep 0.3
lines o 3 4 >> app.log
wait_for out.log 2
stop
expect_eq "reopen: old lines in the renamed output" "$(grep -c '^o ' out.log.1)" 2
expect_eq "reopen: new lines in the new output" "$(grep -c '^o ' out.log)" 2
cd ..

# ---- metrics over HTTP: loopback only ----
mkdir http && cd http && cp ../policy.yaml .
lines m 1 3 > app.log
port=$((20000 + RANDOM % 20000))
start http -o out.log --metrics-listen "127.0.0.1:$port" app.log
wait_for out.log 3
exec 5<> "/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&5 && cat <&5 > resp
exec 5<&-
stop
expect_grep "metrics-listen: serves the counters" "logscrub_lines_in_total 3" resp
expect_grep "metrics-listen: as Prometheus text" "text/plain; version=0.0.4" resp
"$LS" follow -p policy.yaml --state s2 --metrics-listen 0.0.0.0:9464 app.log 2> nl.err < /dev/null &
p=$!; sleep 0.5; kill "$p" 2> /dev/null; wait "$p"; rc=$?
expect_eq "metrics-listen: a non-loopback address is refused (status 1)" "$rc" 1
expect_grep "metrics-listen: says why" "only a loopback address" nl.err
cd ..

# ---- sockets: syslog over UDP and TCP (octet-counted and newline-framed), Unix sockets ----
mkdir sock && cd sock && cp ../policy.yaml .
up=$((20000 + RANDOM % 20000)); tp=$((up + 1))
start sock -o out.log --listen "udp://127.0.0.1:$up" --listen "tcp://127.0.0.1:$tp" \
    --listen "unix:$PWD/s.sock" --listen "unixgram:$PWD/g.sock"
printf '<13>1 2026-11-22T10:00:00Z host app - - - udp 10.1.2.3\n' > "/dev/udp/127.0.0.1/$up"
msg1='<13>Nov 22 10:00:00 host app: tcp 10.9.9.9'
msg2='<13>Nov 22 10:00:01 host app: two
lines 10.8.8.8'
printf '%d %s%d %s<13>newline-framed 10.7.7.7\n' "${#msg1}" "$msg1" "${#msg2}" "$msg2" \
    > "/dev/tcp/127.0.0.1/$tp"
perl -MIO::Socket::UNIX -e '
    my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => "s.sock") or die "$!";
    print $s "unix stream 10.6.6.6\nlast without newline 10.5.5.5"; close $s;
    my $g = IO::Socket::UNIX->new(Type => SOCK_DGRAM(), Peer => "g.sock") or die "$!";
    $g->send("unix datagram 10.4.4.4\n");'
wait_for out.log 7
stop
expect_eq "sockets: every message, one line each" "$(wc -l < out.log)" 7
expect_eq "sockets: scrubbed" "$(grep -c -E '10\.[0-9]+\.[0-9]+\.[1-9]' out.log)" 0
expect_grep "sockets: udp" "udp 10.1.2.0" out.log
expect_grep "sockets: tcp, octet-counted" "tcp 10.9.9.0" out.log
expect_grep "sockets: a newline inside a counted message is a space" "two lines 10.8.8.0" out.log
expect_grep "sockets: tcp, newline-framed" "newline-framed 10.7.7.0" out.log
expect_grep "sockets: unix stream, last message without a newline" "last without newline 10.5.5.0" out.log
expect_grep "sockets: unix datagram" "unix datagram 10.4.4.0" out.log
expect_eq "sockets: the unix sockets are removed at exit" "$(ls s.sock g.sock 2> /dev/null | wc -l)" 0
"$LS" follow -p policy.yaml --state st2 --listen udp://0.0.0.0:5514 2> net.err; rc=$?
expect_eq "sockets: a non-loopback address is refused (status 1)" "$rc" 1
expect_grep "sockets: says why" "only a loopback address" net.err
cd ..

# ---- kill -9: nothing skipped, at most the lines after the last checkpoint repeated ----
mkdir kill && cd kill && cp ../policy.yaml .
perl "$WRITER" app.log 3000 1000 0 > /dev/null & W=$!
start kill -o out.log app.log
sleep 1.5
kill -KILL "$PID"; wait "$PID" 2> /dev/null
read -r _ _ _ offset _ < <(tail -n 1 state)
start kill -o out.log app.log
wait "$W"
sleep 1
stop
total=$(wc -l < app.log)
seen=$(grep -o 'seq=[0-9]*' out.log | sort -u | wc -l)
expect_eq "kill -9: every line written came out ($total)" "$seen" "$total"
after=$(tail -c +$((offset + 1)) app.log | wc -l)
dups=$(grep -o 'seq=[0-9]*' out.log | sort | uniq -d | wc -l)
if [ "$dups" -le "$after" ]; then pass "kill -9: $dups lines repeated, all after the checkpoint ($after lines)"; else
    fail "kill -9: $dups lines repeated, more than the $after after the checkpoint"; fi
cd ..

# ---- the soak: rotation, restarts, reloads and one copytruncate, all under load ----
mkdir soak && cd soak && cp ../v1.yaml policy.yaml
rate=500
n=$((SOAK * rate))
perl "$WRITER" app.log "$n" "$rate" 40 > writer.log & W=$!
start soak -o out.log --metrics-file m.prom --metrics-interval 0.2 app.log
# The shipper: reads logscrub's output as it grows, as Fluent Bit or Vector would.
tail -n +1 -F out.log > shipped.log 2> /dev/null & SHIPPER=$!
end=$((SECONDS + SOAK))
k=0 restarts=0 reloads=0 rotations=0 truncated=0
while kill -0 "$W" 2> /dev/null && [ $SECONDS -lt $((end + 30)) ]; do
    sleep 0.25
    k=$((k + 1))
    if [ $((k % 8)) -eq 0 ]; then # rotate by rename, keeping every old file
        mv app.log "app.log.$k" 2> /dev/null && rotations=$((rotations + 1))
    fi
    if [ $((k % 3)) -eq 0 ]; then # reload, switching between two policies
        if [ $((reloads % 2)) -eq 0 ]; then cp ../v2.yaml policy.yaml; else cp ../v1.yaml policy.yaml; fi
        kill -HUP "$PID" && reloads=$((reloads + 1))
    fi
    if [ $((k % 21)) -eq 0 ]; then
        stop
        restarts=$((restarts + 1))
        sleep 0.2
        start soak -o out.log --metrics-file m.prom --metrics-interval 0.2 app.log
    fi
    if [ $k -eq $((SOAK * 2 + 1)) ] && [ $truncated -eq 0 ]; then # copytruncate once, halfway
        echo "TRUNCATE $(date +%s.%N)" >> writer.log
        : > app.log
        truncated=1
    fi
done
wait "$W"
sleep 1.5
stop
sleep 0.5
kill "$SHIPPER" 2> /dev/null
wait "$SHIPPER" 2> /dev/null
grep -o 'seq=[0-9]*' out.log | cut -d= -f2 | sort -n > seen
dups=$(uniq -d seen | wc -l)
missing=$(comm -13 <(sort -u seen) <(seq 1 "$n" | sort) | sort -n)
nmiss=$(printf '%s' "$missing" | grep -c .)
echo "    soak: $n lines, $rotations rotations, $restarts restarts, $reloads reloads, one copytruncate; $nmiss missing, $dups repeated"
expect_eq "soak: no line twice" "$dups" 0
# The only loss allowed: lines written between the last read before the truncation and the
# truncation itself - one contiguous run, counted in the metrics.
if [ "$nmiss" -eq 0 ] ||
    [ "$(echo "$missing" | tail -n 1)" -eq $(($(echo "$missing" | head -n 1) + nmiss - 1)) ]; then
    pass "soak: the only lines missing ($nmiss) are one run: the copytruncate window"
else
    fail "soak: lines missing outside one copytruncate window" "$(echo "$missing" | head -20 | tr '\n' ' ')"
fi
if [ "$nmiss" -le $((rate / 2)) ]; then pass "soak: the window is short ($nmiss lines)"; else
    fail "soak: $nmiss lines lost, more than a poll interval's worth"; fi
expect_eq "soak: the copytruncate is reported, once" "$(grep -c 'truncated in place' soak.err)" 1
expect_eq "soak: no address or e-mail leaked" \
    "$(grep -c -E '10\.[0-9]+\.[0-9]+\.[1-9][0-9]*( |$)|@example\.com' out.log)" 0
expect_eq "soak: every line is whole" "$(grep -c -v -E '^seq=[0-9]+ ' out.log)" 0
v1=$(grep -c -E '^seq=[0-9]+ from 10\.[0-9]+\.[0-9]+\.0 ' out.log)
v2=$(grep -c -E '^seq=[0-9]+ from \[gone\] ' out.log)
if [ "$v1" -gt 0 ] && [ "$v2" -gt 0 ] && [ $((v1 + v2)) -eq "$(wc -l < out.log)" ]; then
    pass "soak: both policies show in the output ($v1 and $v2 lines), each line wholly one"
else
    fail "soak: both policies show in the output" "v1 $v1, v2 $v2, lines $(wc -l < out.log)"
fi
expect_eq "soak: the shipper received exactly what logscrub wrote" \
    "$(cmp shipped.log out.log && echo same)" same
cd ..
expect_eq "every run drained and exited 0 on TERM" "$STOP_FAILS" 0
finish
