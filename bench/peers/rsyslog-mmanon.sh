#!/usr/bin/env bash
# rsyslog-mmanon.sh - rsyslog's mmanon as a filter (stdin -> stdout) for bench/run.sh.
# Debian's rsyslog has no stdin input and does not exit at end of file, so the input is
# copied to a file with a marker line appended, rsyslogd -n reads it with imfile (one
# queue worker, which keeps line order), and is stopped once the marker is written.
# The copy is part of the measured time; it costs little beside rsyslog itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-rsyslog.XXXXXX")
trap 'kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
marker="logscrub-bench-end-$$"
{ cat; echo "$marker"; } > "$work/in"
sed -e "s|@IN@|$work/in|" -e "s|@OUT@|$work/out|" -e "s|@WORK@|$work|" -e "s|@WORKERS@|1|" \
    "$here/rsyslog-mmanon.conf.in" > "$work/conf"
rsyslogd -n -f "$work/conf" -i "$work/pid" 2> "$work/err" &
while ! { [ -f "$work/out" ] && tail -n 1 "$work/out" | grep -q "$marker"; }; do
    kill -0 $! 2> /dev/null || { cat "$work/err" >&2; exit 1; }
    sleep 0.05
done
kill $! 2> /dev/null || true
wait $! 2> /dev/null || true
head -n -1 "$work/out"
