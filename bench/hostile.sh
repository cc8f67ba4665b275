#!/usr/bin/env bash
# hostile.sh - the CPU cost of adversarial lines: for each shape, one 1 MiB line (and the
# same shape as 4 KiB lines) goes through the default policy; prints ms per MiB.
# A shape far above the others is a super-linear path in a detector.
#   bench/hostile.sh            uses build/logscrub (override with $BUILD)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(dirname "$here")/build}
LS=$BUILD/logscrub
OUT=$here/out
mkdir -p "$OUT"

shapes=(
    '1.2.3.4.' '1.' '9' '1 ' '4111 ' '1-' '@' 'a@' 'a@b.' '%40' '=' 'a=' 'token=' '%3D'
    'pwd%3D' ':' 'a:' '::' '1:' 'fe80::' 'a:b:c:d:e:f:0:1:' '[::1]:' '://' 'a://u:p'
    'eyJaaaaaaaa-' 'eyJhbGciOiJIUzI1NiJ9.' 'sk-a-' 'ghp_a-' 'AKIA' 'Bearer ' 'bearer x-'
    'Basic ' '-----BEGIN PRIVATE KEY-----' '-----BEGIN ' 'DE89 ' 'DE89' '"password":"'
    '\"' '\"token\":\"' 'authorization: ' '[' '{"a":' 'x'
)
printf '%-32s %12s %12s\n' shape 'ms/MiB 1MiB' 'ms/MiB 4KiB'
worst=0
for s in "${shapes[@]}"; do
    S="$s" perl -e '$s=$ENV{S}; $n=int(1048576/length($s)); print $s x $n, "\n"' > "$OUT/h1"
    S="$s" perl -e '$s=$ENV{S}; $n=int(4096/length($s)); print(($s x $n) . "\n") for 1..256' \
        > "$OUT/h2"
    row=()
    for f in "$OUT/h1" "$OUT/h2"; do
        t0=$(date +%s%N)
        "$LS" --max-line 2M < "$f" > /dev/null
        t1=$(date +%s%N)
        mib=$(echo "$(stat -c %s "$f") / 1048576" | bc -l)
        ms=$(echo "($t1 - $t0) / 1000000 / $mib" | bc -l)
        row+=("$ms")
        worst=$(echo "if ($ms > $worst) $ms else $worst" | bc -l)
    done
    printf '%-32s %12.1f %12.1f\n' "$s" "${row[0]}" "${row[1]}"
done
printf 'worst: %.1f ms/MiB (includes process start-up, about 1 ms)\n' "$worst"
