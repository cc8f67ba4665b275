#!/bin/bash
# keys.sh - keys and pseudonyms through the binary: keygen (file and redirect, modes,
# refusals), where a policy finds its key, stable and period-scoped tokens, the key epoch,
# check without a key, test with the public test key, and geo from a real .mmdb.
#   usage: keys.sh LOGSCRUB DATA_DIR
. "$(dirname "$0")/lib.sh"
LS=$1
DATA=$2
unset LOGSCRUB_KEY_FILE CREDENTIALS_DIRECTORY
cd "$WORK" || exit 1

"$LS" keygen k1; expect_eq "keygen FILE succeeds" $? 0
expect_eq "keygen FILE makes a private file" "$(stat -c %a k1)" 600
expect_eq "the key is 64 hex digits and a newline" "$(grep -cxE '[0-9a-f]{64}' k1)" 1
"$LS" keygen k1 2> err; expect_eq "keygen never overwrites" $? 1
expect_grep "keygen says why" "never overwritten" err
umask 022
"$LS" keygen > k2; expect_eq "keygen > FILE succeeds" $? 0
expect_eq "keygen > FILE makes it private too" "$(stat -c %a k2)" 600
expect_eq "two keys differ" "$(cmp -s k1 k2; echo $?)" 1

cat > p.yaml <<'YAML'
version: 1
name: pseudo
input: { format: json }
keys: { file: k1, rotate: daily }
fields:
  keep: [ts, client_ip, path]
  client_ip: { ip: pseudonym }
YAML
printf '%s\n' '{"ts":"2026-11-22T10:00:00Z","client_ip":"203.0.113.7","path":"/a"}' \
    '{"ts":"2026-11-22T18:00:00Z","client_ip":"::ffff:203.0.113.7","path":"/b"}' \
    '{"ts":"2026-11-23T09:00:00Z","client_ip":"203.0.113.7","path":"/c"}' > in.log
"$LS" -p p.yaml in.log > out1; expect_eq "a pseudonym policy runs" $? 0
"$LS" -p p.yaml in.log > out2
expect_same_file "pseudonyms are stable from run to run" out2 out1
jq -r .client_ip out1 > toks
expect_eq "one address, one day: one token" "$(sed -n 1p toks)" "$(sed -n 2p toks)"
expect_eq "another day: another token" "$([ "$(sed -n 1p toks)" != "$(sed -n 3p toks)" ]; echo $?)" 0
expect_eq "tokens look like ip_ and 16 hex digits" "$(grep -cxE 'ip_[0-9a-f]{16}' toks)" 3
expect_no_grep "the address is gone" "203.0.113" out1
id=$(jq -r ._key_epoch out1 | sed -n 1p)
expect_eq "the record says its key epoch" "${id%/*}" "2026-11-22"
LOGSCRUB_KEY_FILE=k2 "$LS" -p p.yaml in.log > out3
expect_eq "\$LOGSCRUB_KEY_FILE wins over keys.file" \
    "$([ "$(jq -r .client_ip out3 | head -1)" != "$(sed -n 1p toks)" ]; echo $?)" 0
mkdir creds && cp k2 creds/logscrub.key && chmod 600 creds/logscrub.key
sed 's/^keys:.*/keys: { rotate: daily }/' p.yaml > p2.yaml
CREDENTIALS_DIRECTORY=$WORK/creds "$LS" -p p2.yaml in.log > out4
expect_same_file "\$CREDENTIALS_DIRECTORY/logscrub.key is found" out4 out3
"$LS" -p p2.yaml in.log > /dev/null 2> err; expect_eq "no key anywhere: status 1" $? 1
expect_grep "no key: says how to make one" "logscrub keygen" err
chmod 644 k1
"$LS" -p p.yaml in.log > /dev/null 2> err; expect_eq "a readable key is refused" $? 1
expect_grep "the refusal says how to fix it" "chmod 600 k1" err
chmod 600 k1
"$LS" check p2.yaml > out 2> err; expect_eq "check needs no key" $? 0
expect_no_grep "no key material is printed" "$(cut -c1-16 k1)" out
"$LS" --stats -p p.yaml in.log > /dev/null 2> err
expect_grep "--stats counts pseudonyms" "pseudonyms" err

# A key epoch on text lines, and a token fed back in stays.
cat > t.yaml <<'YAML'
version: 1
name: text-pseudo
keys: { file: k1, rotate: weekly }
text:
  - detector: ipv4
    action: pseudonym
YAML
echo 'Nov 22 10:00:00 host sshd[1]: from 198.51.100.9' | "$LS" -p t.yaml > out
expect_grep "a text line carries the week" " key_epoch=20" out
sed 's/ key_epoch=.*//' out | "$LS" -p t.yaml | sed 's/ key_epoch=.*//' > out2
expect_same_file "a pseudonym is not hashed again" out2 <(sed 's/ key_epoch=.*//' out)

# GeoIP from MaxMind's test databases.
cat > g.yaml <<YAML
version: 1
name: geo
input: { format: nginx }
fields:
  remote_addr: { ip: geo, db: [$DATA/geoip/GeoLite2-Country-Test.mmdb, $DATA/geoip/GeoLite2-ASN-Test.mmdb], geo: [country, asn] }
YAML
echo '89.160.20.112 - - [22/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"' \
    | "$LS" -p g.yaml > out
expect_grep "ip: geo gives country and ASN" "SE/AS29518 - - [22/Nov/2026" out
finish
