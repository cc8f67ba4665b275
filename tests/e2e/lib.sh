# lib.sh - a tiny harness for end-to-end tests through the logscrub binary.
# Each check prints "ok - NAME" or "FAIL - NAME" with details; finish prints the totals
# and exits non-zero when anything failed.
set -u
PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/logscrub-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; shift; for l in "$@"; do echo "    $l"; done; }

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "want: $3" "got:  $2"; fi
}

# expect_file_eq NAME FILE WANT-TEXT (byte exact, use printf-style escapes in WANT)
expect_file_eq() {
    printf "$3" > "$WORK/want"
    if cmp -s "$2" "$WORK/want"; then pass "$1"; else
        fail "$1" "want: $(od -c "$WORK/want" | head -5)" "got:  $(od -c "$2" | head -5)"
    fi
}

# expect_same_file NAME GOT-FILE WANT-FILE (byte exact; a diff is shown when they differ)
expect_same_file() {
    if cmp -s "$2" "$3"; then pass "$1"; else
        fail "$1" "$(diff "$3" "$2" | head -8)"
    fi
}

# expect_grep NAME PATTERN FILE / expect_no_grep NAME PATTERN FILE (fixed strings)
expect_grep() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1" "'$2' not in $3: $(head -c 400 "$3")"; fi; }
expect_no_grep() { if grep -qF -- "$2" "$3"; then fail "$1" "'$2' found in $3"; else pass "$1"; fi; }

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
