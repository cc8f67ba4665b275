#!/usr/bin/env bash
# examples.sh - the deployment examples in examples/ are checked as far as this machine
# can: every YAML file parses (all its documents), the Kubernetes pod mounts only volumes
# it declares and its embedded policy passes `logscrub check`, and the systemd unit passes
# `systemd-analyze verify` when systemd is installed (skipped with a message otherwise).
#   usage: examples.sh PATH/TO/logscrub PATH/TO/yaml_check PATH/TO/examples
LS=$(realpath "$1")
YC=$(realpath "$2")
EX=$(realpath "$3")
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

for y in "$EX"/kubernetes/*.yaml "$EX"/shippers/*.yaml; do
    if "$YC" "$y" > yc.out 2>&1; then pass "$(basename "$y") parses ($(cut -d: -f2 yc.out | tr -d ' '))"; else
        fail "$(basename "$y") parses" "$(cat yc.out)"; fi
done
expect_eq "the pod holds four documents (3 ConfigMaps and the Pod)" \
    "$("$YC" "$EX/kubernetes/pod.yaml" | cut -d: -f2)" " 4 documents"

# Every volume a container mounts is declared under the pod's volumes.
pod=$EX/kubernetes/pod.yaml
declared=$(sed -n '/^  volumes:/,/^  containers:/p' "$pod" | grep -o -- '- name: [a-z-]*' | cut -d' ' -f3 | sort -u)
mounted=$(grep -o '{ name: [a-z-]*, mountPath' "$pod" | cut -d' ' -f3 | tr -d ',' | sort -u)
expect_eq "the pod mounts only declared volumes" "$(comm -13 <(echo "$declared") <(echo "$mounted"))" ""

# The policy in the ConfigMap is a valid logscrub policy.
awk '/^  policy.yaml: \|/ { on = 1; next } on && /^---/ { exit } on { sub(/^    /, ""); print }' \
    "$pod" > policy.yaml
if "$LS" check policy.yaml > check.out 2>&1; then pass "the pod's policy passes logscrub check"; else
    fail "the pod's policy passes logscrub check" "$(cat check.out)"; fi
# And the arguments the sidecar gets are ones logscrub follow accepts.
args=$(sed -n '/- name: logscrub$/,/volumeMounts/p' "$pod" | grep -E '^        - ' | sed 's/^        - //' | tr '\n' ' ')
expect_eq "the sidecar runs logscrub follow" "${args%% *}" "follow"

unit=$EX/systemd/logscrub-follow.service
if command -v systemd-analyze > /dev/null && systemd-analyze --version > /dev/null 2>&1; then
    mkdir units
    # The unit names /usr/local/bin/logscrub; verify the same unit with the binary built here.
    sed "s|/usr/local/bin/logscrub|$LS|" "$unit" > units/logscrub-follow.service
    if SYSTEMD_LOG_LEVEL=warning systemd-analyze verify units/logscrub-follow.service > sa.out 2>&1 &&
        ! grep -q -i -e 'unknown' -e 'invalid' -e 'failed' sa.out; then
        pass "the systemd unit passes systemd-analyze verify"
    else
        fail "the systemd unit passes systemd-analyze verify" "$(cat sa.out)"
    fi
else
    echo "skip - systemd-analyze is not installed: the systemd unit is not verified"
fi
expect_grep "the unit takes the key through LoadCredential" "LoadCredential=logscrub.key:" "$unit"
expect_grep "the unit reloads with SIGHUP" 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
finish
