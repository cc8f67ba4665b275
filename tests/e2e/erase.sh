#!/bin/bash
# erase.sh - `logscrub erase` through the binary: a data subject's records go from raw and
# pseudonymised logs, plain and compressed, in every period (daily keys), by address, by
# field value and by token; nobody else's do; a second run changes nothing.
#   usage: erase.sh LOGSCRUB
. "$(dirname "$0")/lib.sh"
LS=$1
unset LOGSCRUB_KEY_FILE CREDENTIALS_DIRECTORY
cd "$WORK" || exit 1
"$LS" keygen key
cat > p.yaml <<'YAML'
version: 1
name: pseudo
input: { format: json }
keys: { file: key, rotate: daily }
retention: 90d
fields:
  client_ip: { ip: pseudonym }
  user: { action: pseudonym }
text:
  - detector: email
    action: pseudonym
YAML
printf '%s\n' \
    '{"ts":"2026-11-22T10:00:00Z","client_ip":"203.0.113.7","user":"bob","n":1}' \
    '{"ts":"2026-11-23T10:00:00Z","client_ip":"::ffff:203.0.113.7","user":"alice","n":2}' \
    '{"ts":"2026-11-23T11:00:00Z","client_ip":"198.51.100.1","user":"carol","n":3}' \
    '{"ts":"2026-11-24T11:00:00Z","client_ip":"198.51.100.1","user":"bob","n":4}' \
    '{"ts":"2026-11-24T12:00:00Z","client_ip":"192.0.2.1","msg":"mail from Dora@Example.org","n":5}' \
    '{"ts":"2026-11-24T12:00:00Z","client_ip":"192.0.2.2","user":"bobby","n":6}' > raw.log
mkdir -p arch
"$LS" -p p.yaml raw.log | gzip > arch/a.log.gz
"$LS" -p p.yaml -o arch/a.log.zst raw.log
cp raw.log arch/raw.log
cp -a arch orig

"$LS" erase -p p.yaml --subject ip=203.0.113.7 --in-place arch 2> sum
expect_eq "erase exits 0" $? 0
for f in a.log.gz a.log.zst; do
    expect_eq "$f: the address's records are gone, in both periods" \
        "$("$LS" -f text arch/$f | jq -r .n | tr '\n' ' ')" "3 4 5 6 "
done
expect_eq "the raw log loses them too" "$(jq -r .n arch/raw.log | tr '\n' ' ')" "3 4 5 6 "
expect_grep "the count per file is reported" "arch/a.log.gz: 6 records, 2 erased, 4 kept" sum
expect_grep "and in total (the raw ::ffff: form counts)" \
    "3 files (3 rewritten, 0 failed), 18 records, 6 erased" sum

"$LS" erase -p p.yaml --subject user=bob --subject email=dora@example.org --in-place arch 2> sum
for f in a.log.gz a.log.zst; do
    expect_eq "$f: bob (by field) and Dora (an e-mail in text) are gone, bobby stays" \
        "$("$LS" -f text arch/$f | jq -r .n | tr '\n' ' ')" "3 6 "
done
expect_eq "the raw log: bob's record by its field, Dora's e-mail in any case" \
    "$(jq -r .n arch/raw.log | tr '\n' ' ')" "3 6 "

tok=$("$LS" -f text arch/a.log.gz | jq -r 'select(.n == 3) | .user')
"$LS" erase -p p.yaml --subject "pseudonym=$tok" --in-place arch 2> sum
expect_eq "a token given as such" "$("$LS" -f text arch/a.log.gz | jq -r .n | tr '\n' ' ')" "6 "
cp -a arch again
"$LS" erase -p p.yaml --subject ip=203.0.113.7 --in-place arch 2> sum
expect_eq "a second run changes nothing" "$(diff -r arch again && echo same)" same
expect_grep "and says so" "(0 rewritten, 0 failed)" sum
"$LS" erase -p p.yaml --subject nonsense --in-place arch 2> err
expect_eq "a malformed subject: status 1" $? 1
"$LS" erase -p p.yaml --subject ip=300.1.1.1 --in-place arch 2> err
expect_eq "a bad address: status 1" $? 1
"$LS" erase --subject ip=1.2.3.4 --in-place arch 2> err
expect_eq "no policy: status 1" $? 1
finish
