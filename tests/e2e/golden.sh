#!/bin/bash
# golden.sh - the golden cases under tests/golden/<format>/: NAME.in scrubbed with
# NAME.policy.yaml must give exactly NAME.out. JSON outputs must also be valid JSON (jq),
# marker lines aside.
#   usage: golden.sh LOGSCRUB GOLDEN_DIR
. "$(dirname "$0")/lib.sh"
LS=$1
DIR=$2
for in in "$DIR"/*/*.in; do
    base=${in%.in}
    name=${base#"$DIR"/}
    "$LS" -p "$base.policy.yaml" < "$in" > "$WORK/out" 2> "$WORK/err"
    expect_same_file "golden $name" "$WORK/out" "$base.out"
    if [ "${name%%/*}" = json ]; then
        if grep -v '^\[logscrub: ' "$WORK/out" | jq -c . > /dev/null 2> "$WORK/jqerr"; then
            pass "golden $name: output is valid JSON (jq)"
        else
            fail "golden $name: output is valid JSON (jq)" "$(head -3 "$WORK/jqerr")"
        fi
    fi
done
finish
