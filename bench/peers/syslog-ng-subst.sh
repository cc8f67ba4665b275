#!/usr/bin/env bash
# syslog-ng-subst.sh - syslog-ng's PCRE subst() as a filter (stdin -> stdout) for
# bench/run.sh. syslog-ng conflicts with rsyslog in Debian, so it is unpacked into a
# private root: SYSLOG_NG_ROOT is the directory `dpkg -x syslog-ng-core_*.deb` filled
# (see bench/README or ../shared/peers/README.md). Its stdin() source refuses a regular
# file, hence the pipe.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${SYSLOG_NG_ROOT:?set SYSLOG_NG_ROOT to an unpacked syslog-ng-core}
work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-syslog-ng.XXXXXX")
trap 'rm -rf "$work"' EXIT
sed -e "s|@OUT@|$work/out|" "$here/syslog-ng-subst.conf.in" > "$work/conf"
cat | LD_LIBRARY_PATH=$ROOT/usr/lib/syslog-ng "$ROOT/usr/sbin/syslog-ng" -F --no-caps \
    -f "$work/conf" --module-path="$ROOT/usr/lib/syslog-ng/3.38" -R "$work/persist" \
    -p "$work/pid" -c "$work/ctl" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
cat "$work/out"
