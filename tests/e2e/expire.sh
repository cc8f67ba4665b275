#!/bin/bash
# expire.sh - `logscrub expire` through the binary: an archive directory of gzipped nginx and
# JSON logs (and zstd, plain) tagged by logscrub itself; expired records go, nothing else
# does; a second run changes nothing; -O DIR mirrors; a damaged archive fails alone and is
# left as it was; and SIGKILL at many points of an in-place run leaves every file complete
# (old or new) with no temporary file behind.
#   usage: expire.sh LOGSCRUB GEN_CORPUS
. "$(dirname "$0")/lib.sh"
LS=$1
GEN=$2
cd "$WORK" || exit 1

cat > ret.yaml <<'YAML'
version: 1
name: ret
input: { format: auto }
retention: 30d
text:
  - use: network
YAML
# Records from three days, thirty days apart; each tagged with its own expiry.
printf '%s\n' \
    '{"ts":"2026-01-01T10:00:00Z","ip":"203.0.113.7","msg":"old"}' \
    '{"ts":"2026-02-15T10:00:00Z","ip":"203.0.113.8","msg":"middle"}' \
    '{"ts":"2026-03-20T10:00:00Z","ip":"203.0.113.9","msg":"new"}' > app.json
printf '%s\n' \
    '203.0.113.7 - - [01/Jan/2026:10:00:00 +0000] "GET /old HTTP/1.1" 200 1 "-" "ua"' \
    '203.0.113.8 - - [15/Feb/2026:10:00:00 +0000] "GET /middle HTTP/1.1" 200 1 "-" "ua"' \
    '203.0.113.9 - - [20/Mar/2026:10:00:00 +0000] "GET /new HTTP/1.1" 200 1 "-" "ua"' > access
mkdir -p arch/nginx arch/app
"$LS" -p ret.yaml app.json | gzip > arch/app/app.log.gz
"$LS" -p ret.yaml access | gzip > arch/nginx/access.log.1.gz
"$LS" -p ret.yaml -o arch/nginx/access.log.2.zst access
"$LS" -p ret.yaml access > arch/nginx/access.log
expect_eq "records carry their expiry" "$(zcat arch/app/app.log.gz | grep -c '"_expires":"2026-01-31T10:00:00Z"')" 1
expect_eq "access lines carry theirs" "$(grep -c ' expires=2026-03-17T10:00:00Z$' arch/nginx/access.log)" 1
cp -a arch orig

# On 2026-03-01 the January records have expired; February's (until 2026-03-17) have not.
"$LS" expire --now 2026-03-01T00:00:00Z --in-place arch 2> sum
expect_eq "expire exits 0" $? 0
expect_eq "the January JSON record is gone" "$(zcat arch/app/app.log.gz | grep -c old)" 0
expect_eq "the others stay, byte for byte" "$(zcat arch/app/app.log.gz)" "$(zcat orig/app/app.log.gz | sed 1d)"
for f in access.log access.log.1.gz access.log.2.zst; do
    expect_eq "$f: two lines left" "$("$LS" -f text arch/nginx/$f | wc -l)" 2
    expect_eq "$f: the old request is gone" "$("$LS" -f text arch/nginx/$f | grep -c /old)" 0
done
expect_eq "gzip stays gzip" "$(head -c2 arch/nginx/access.log.1.gz | od -An -tx1 | tr -d ' ')" 1f8b
expect_eq "zstd stays zstd" "$(head -c4 arch/nginx/access.log.2.zst | od -An -tx1 | tr -d ' ')" 28b52ffd
expect_grep "the summary counts per file" "arch/app/app.log.gz: 3 records, 1 expired, 2 kept" sum
expect_grep "and in total" "4 files (4 rewritten, 0 failed), 12 records, 4 expired" sum
cp -a arch after1
ino1=$(stat -c %i arch/nginx/access.log)
"$LS" expire --now 2026-03-01T00:00:00Z --in-place arch 2> sum2
expect_eq "a second run changes nothing" "$(diff -r arch after1 && echo same)" same
expect_grep "and says so" "(0 rewritten, 0 failed)" sum2
expect_eq "an unchanged file is not rewritten" "$(stat -c %i arch/nginx/access.log)" "$ino1"
"$LS" expire --now 2026-04-10T00:00:00Z -O out orig 2> /dev/null
expect_eq "-O DIR mirrors the tree" "$(cd out && find . -type f | sort | tr '\n' ' ')" \
    "./orig/app/app.log.gz ./orig/nginx/access.log ./orig/nginx/access.log.1.gz ./orig/nginx/access.log.2.zst "
expect_eq "-O DIR leaves the originals" "$(diff -r orig arch >/dev/null; echo $?)" 1
expect_eq "by April 10 only the March records are left" "$(zcat out/orig/app/app.log.gz | grep -c new)" 1
expect_eq "no temporary files anywhere" "$(find . -name '*.logscrub-new' | wc -l)" 0

# A damaged archive fails alone and stays as it was.
mkdir dmg && head -c 40 orig/nginx/access.log.1.gz > dmg/cut.gz && cp orig/nginx/access.log dmg/
cp dmg/cut.gz cut.before
"$LS" expire --now 2026-03-01T00:00:00Z --in-place dmg 2> err
expect_eq "a damaged archive: status 2" $? 2
expect_grep "it is named, and why" "dmg/cut.gz: cannot read it: gzip archive is truncated" err
expect_eq "the damaged file is untouched" "$(cmp cut.before dmg/cut.gz && echo same)" same
expect_eq "the other file is still done" "$(grep -c /old dmg/access.log)" 0
"$LS" expire --in-place 2> /dev/null; expect_eq "no PATH: usage error" $? 1
"$LS" expire --now yesterday --in-place dmg 2> err; expect_eq "a bad --now: usage error" $? 1

# Staged retention: expire -p POLICY moves each record's fields on when their stage is due.
cat > staged.yaml <<'YAML'
version: 1
name: staged
input: { format: json }
retention: 90d
fields:
  client_ip: [{for: 7d, keep: true}, {for: 30d, ip: truncate}, {then: drop}]
YAML
day0=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)
printf '{"ts":"%s","client_ip":"203.0.113.7","n":1}\n' "$day0" > staged.json
mkdir st && "$LS" -p staged.yaml staged.json | gzip > st/s.log.gz
expect_eq "first, the address is kept whole, with a next stage" \
    "$(zcat st/s.log.gz | jq -r '.client_ip + " " + (._next_stage != null | tostring)')" "203.0.113.7 true"
"$LS" expire -p staged.yaml --now "$(date -u -d '+3 days' +%s)" --in-place st 2> sum
expect_grep "nothing is due before the stage ends" "0 advanced a stage, unchanged" sum
"$LS" expire -p staged.yaml --now "$(date -u -d '+10 days' +%s)" --in-place st 2> sum
expect_eq "after 7 days it is truncated" "$(zcat st/s.log.gz | jq -r .client_ip)" 203.0.113.0
expect_grep "and the summary says a record advanced" "1 advanced a stage" sum
expect_eq "the tags are rewritten, not repeated" "$(zcat st/s.log.gz | grep -o _expires | wc -l)" 1
"$LS" expire -p staged.yaml --now "$(date -u -d '+40 days' +%s)" --in-place st 2> sum
expect_eq "after 30 days the field is gone" "$(zcat st/s.log.gz | jq -c 'keys')" '["_expires","n","ts"]'
"$LS" expire -p staged.yaml --now "$(date -u -d '+100 days' +%s)" --in-place st 2> sum
expect_eq "after 90 days the record is gone" "$(zcat st/s.log.gz | wc -l)" 0

# Owner and mode are kept; a symbolic link is skipped, not replaced by a file.
mkdir own && cp orig/nginx/access.log own/a.log && chmod 604 own/a.log
ln -s a.log own/link.log
if [ "$(id -u)" = 0 ]; then chown nobody own/a.log; fi
want_owner=$(stat -c %U own/a.log)
"$LS" expire --now 2026-03-01T00:00:00Z --in-place own 2> err
expect_eq "the rewritten file keeps its mode" "$(stat -c %a own/a.log)" 604
expect_eq "and its owner" "$(stat -c %U own/a.log)" "$want_owner"
expect_eq "the link is still a link" "$([ -L own/link.log ] && echo link)" link
expect_grep "and the skip is said" "own/link.log: a symbolic link, skipped" err

# Crash safety: kill -9 at many points of an in-place run over a large file.
"$GEN" --format json --size 24M --seed 3 > big.json
"$LS" -p ret.yaml big.json | gzip -1 > big.gz
mkdir crash && cp big.gz crash/big.gz
"$LS" expire --now 2026-08-20T09:15:34Z -O want crash 2> /dev/null
old=$(md5sum < big.gz)
new=$(md5sum < want/crash/big.gz)
expect_eq "the crash test's file loses about half its records" \
    "$(zcat want/crash/big.gz | wc -l | awk '{print ($1 > 30000 && $1 < 50000)}')" 1
bad=0
saw_old=0
saw_new=0
for delay in 0 0.01 0.02 0.03 0.05 0.08 0.1 0.13 0.16 0.2 0.25 0.3 0.35 0.4 0.5 0.6 0.8 1 1.5 3; do
    cp big.gz crash/big.gz
    "$LS" expire --now 2026-08-20T09:15:34Z --in-place crash 2> /dev/null &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    now=$(md5sum < crash/big.gz)
    [ "$now" = "$old" ] && saw_old=$((saw_old + 1))
    [ "$now" = "$new" ] && saw_new=$((saw_new + 1))
    if [ "$now" != "$old" ] && [ "$now" != "$new" ]; then
        bad=$((bad + 1))
        echo "# after ${delay}s: neither the old nor the new file"
    fi
    left=$(find crash -name '.*' -type f | wc -l)
    if [ "$left" -ne 0 ]; then
        bad=$((bad + 1))
        echo "# after ${delay}s: a temporary file remains"
    fi
done
expect_eq "SIGKILL at 20 points: always the complete old or new file, no temp left" "$bad" 0
echo "# killed before the rename $saw_old times, after it $saw_new times"
expect_eq "some kills came before the rename" "$([ "$saw_old" -gt 0 ] && echo yes)" yes
finish
