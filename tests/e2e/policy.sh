#!/usr/bin/env bash
# policy.sh - policy files through the binary: -p, check, test, exit statuses, overrides,
# and the default policy written as YAML behaving exactly like the built-in one.
#   usage: policy.sh PATH/TO/logscrub PATH/TO/lsc_gen_corpus PATTERNS-DIR
LS=$1
GEN=$2
PAT=$3
. "$(dirname "$0")/lib.sh"

# The YAML default and the built-in default give byte-identical output.
"$GEN" --format nginx --size 4M --seed 11 --plant-rate 0.5 > "$WORK/n.log"
"$GEN" --format json --size 4M --seed 12 --plant-rate 0.5 > "$WORK/j.log"
for f in n j; do
    "$LS" < "$WORK/$f.log" > "$WORK/$f.builtin"
    "$LS" -p "$PAT/policies/default.yaml" < "$WORK/$f.log" > "$WORK/$f.yaml"
    expect_eq "default.yaml == built-in default ($f)" \
        "$(cmp -s "$WORK/$f.builtin" "$WORK/$f.yaml" && echo same)" same
done

# check
"$LS" check "$PAT/policies/default.yaml" > "$WORK/out"; expect_eq "check ok exits 0" $? 0
expect_grep "check prints the hash" "hash: sha256:" "$WORK/out"
"$LS" check --explain "$PAT/policies/default.yaml" > "$WORK/out"
expect_grep "explain names each detector" "email         redact, replaced by [email] (pack pii)" "$WORK/out"
h1=$(grep '^hash:' "$WORK/out")
cp "$PAT/policies/default.yaml" "$WORK/copy.yaml"; echo "# a comment" >> "$WORK/copy.yaml"
expect_eq "hash ignores where the file is and comments" \
    "$("$LS" check --explain "$WORK/copy.yaml" | grep '^hash:')" "$h1"
printf 'version: 1\nname: bad\ntext:\n  - use: pii\n    exept: [iban]\n' > "$WORK/bad.yaml"
"$LS" check "$WORK/bad.yaml" 2> "$WORK/err"; expect_eq "bad policy exits 1" $? 1
expect_grep "bad policy: file:line:col and did-you-mean" \
    "bad.yaml:5:5: unknown key 'exept' in a pack reference; did you mean 'except'?" "$WORK/err"
expect_grep "bad policy: the line is quoted" "5 |     exept: [iban]" "$WORK/err"
"$LS" -p "$WORK/bad.yaml" < /dev/null 2> "$WORK/err"; expect_eq "-p bad policy exits 1" $? 1
"$LS" check "$WORK/nope.yaml" 2> "$WORK/err"; expect_eq "missing policy exits 1" $? 1
expect_grep "missing policy is named" "nope.yaml: cannot open" "$WORK/err"

# test
"$LS" test "$PAT/policies/default.yaml" > "$WORK/out"; expect_eq "test passes" $? 0
expect_grep "test summary" "6 passed, 0 failed" "$WORK/out"
cat > "$WORK/t.yaml" <<'POL'
version: 1
name: t
text:
  - use: network
  - {name: health, pattern: 'GET /health', action: drop-line}
tests:
  - in: 'a 10.1.2.3'
    out: 'a 10.1.2.0'
  - in: 'a 10.1.2.3'
    out: 'a 10.1.2.3'
  - in: 'GET /health'
    dropped: true
  - in: 'GET /x'
    dropped: true
POL
"$LS" test "$WORK/t.yaml" > "$WORK/out"; expect_eq "failing test exits 1" $? 1
expect_grep "failure names file:line" "FAIL 2 - $WORK/t.yaml:9: the output differs" "$WORK/out"
expect_grep "failure shows expected" "expected: a 10.1.2.3" "$WORK/out"
expect_grep "failure shows got" "got:      a 10.1.2.0" "$WORK/out"
expect_grep "dropped test that was kept" "FAIL 4 - $WORK/t.yaml:13: the line was kept" "$WORK/out"
expect_grep "summary" "2 passed, 2 failed" "$WORK/out"
printf 'version: 1\nname: none\n' > "$WORK/none.yaml"
"$LS" test "$WORK/none.yaml" 2> "$WORK/err"; expect_eq "a policy without tests fails test" $? 1

# -p with drop-line, quarantine from the policy, --stats carries name and hash
cat > "$WORK/q.yaml" <<POL
version: 1
name: q
text:
  - use: network
  - {name: r, pattern: '(a+)+\$'}
  - {name: health, pattern: 'GET /health', action: drop-line}
on_error: { quarantine: $WORK/quarantine.log }
limits: { match_limit: 1000 }
POL
printf 'x 10.1.2.3\nGET /health\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab 10.9.9.9\n' > "$WORK/in"
"$LS" -p "$WORK/q.yaml" --stats --strict "$WORK/in" > "$WORK/out" 2> "$WORK/stats"
expect_eq "--strict with policy quarantine exits 3" $? 3
expect_file_eq "-p policy output" "$WORK/out" 'x 10.1.2.0\n'
expect_eq "policy quarantine file holds the raw line" "$(cat "$WORK/quarantine.log")" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab 10.9.9.9"
expect_grep "--stats names the policy and hash" "logscrub stats (policy: q, sha256:" "$WORK/stats"
expect_grep "--stats accounting with drops" "lines in 3 = emitted + dropped + quarantined 3" "$WORK/stats"
"$LS" -p "$WORK/q.yaml" --quarantine "$WORK/q2.log" "$WORK/in" > /dev/null
expect_eq "--quarantine overrides the policy's file" "$(wc -l < "$WORK/q2.log")" 1
"$LS" -p "$WORK/q.yaml" --ipv4-prefix 8 "$WORK/in" 2>/dev/null | head -n 1 > "$WORK/out"
expect_file_eq "--ipv4-prefix overrides the policy" "$WORK/out" 'x 10.0.0.0\n'

# --patterns replaces a built-in pack
mkdir -p "$WORK/packs"
printf 'pack: pii\nrules:\n  - {detector: email, label: mail}\n' > "$WORK/packs/pii.yaml"
printf 'version: 1\nname: p\ntext:\n  - use: pii\n' > "$WORK/p.yaml"
echo 'a@b.com 4111111111111111' | "$LS" -p "$WORK/p.yaml" --patterns "$WORK/packs" > "$WORK/out"
expect_file_eq "--patterns overrides a pack" "$WORK/out" '[mail] 4111111111111111\n'

finish
