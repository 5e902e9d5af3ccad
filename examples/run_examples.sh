#!/usr/bin/env bash
# Runs every example against the stytch-mock binary and checks what each prints.
# Usage: run_examples.sh EXAMPLES_BIN_DIR STYTCH_MOCK
set -u
bin=$1
mock=$2
source "$(dirname "$0")/../test/support/mock_lib.sh"
start_mock || { echo "FAIL: stytch-mock did not start"; exit 1; }
use_mock_credentials
acme=$acme_org

# expect NAME EXIT_STATUS STDOUT_PATTERN -- command...
expect() {
    local name=$1 want=$2 re=$3
    shift 4
    # 20 s, well under idle_timeout (60 s): a program must exit once its calls are done.
    timeout 20 "$@" >"$tmp/stdout" 2>&1
    local got=$?
    if [[ $got -eq $want ]] && grep -Eq -- "$re" "$tmp/stdout"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: status $got (want $want), output:"
        sed 's/^/  /' "$tmp/stdout"
    fi
}

expect coroutine 0 "^deleted external id of Acme Corporation$" -- "$bin/example_coroutine" "$acme"
expect coroutine_not_found 0 "failed: .*\(organization_not_found\)" -- \
    "$bin/example_coroutine" organization-test-missing
expect callback 0 "^deleted external id of $acme$" -- "$bin/example_callback" acme-corp
expect callback_not_found 0 "^API error 404: organization_not_found$" -- \
    "$bin/example_callback" organization-test-missing
expect use_future 0 "^globex: deleted, request " -- "$bin/example_use_future" globex initech
expect use_future_error 1 "^missing: API error 404 organization_not_found, request request-id-" -- \
    "$bin/example_use_future" acme-corp missing

# 300 ids (the three sample organizations over and over), 16 at a time.
for _ in $(seq 100); do
    printf '%s\n' "$acme" globex initech
done >"$tmp/ids.txt"
expect bulk 0 "^succeeded 300, API errors 0, other errors 0$" -- \
    "$bin/example_bulk_delete" "$tmp/ids.txt" 16
printf '%s\n' "# a comment" acme-corp organization-test-missing globex >"$tmp/ids2.txt"
expect bulk_with_error 1 "^succeeded 2, API errors 1, other errors 0$" -- \
    "$bin/example_bulk_delete" "$tmp/ids2.txt" 2

summary
