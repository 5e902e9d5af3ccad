#!/usr/bin/env bash
# The installed stytch-mock: it serves the sample seed installed beside it (not the source
# tree's), its --help shows the credentials it accepts, and an incomplete seed is refused at
# start with the missing member named.
set -u
cmake=$1
build=$2
cli=$3
tmp=$(mktemp -d)
mock_pid=
trap '[[ -n $mock_pid ]] && kill $mock_pid 2>/dev/null; rm -rf "$tmp"' EXIT

passed=0 failed=0
check() {  # check NAME CONDITION-STATUS
    if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "ok   $1"; else
        failed=$((failed + 1)); echo "FAIL $1"; fi
}

"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1
check install $?
mock=$tmp/prefix/bin/stytch-mock
seed=$(find "$tmp/prefix" -name organizations.json -path '*/stytch/*' | head -1)
[[ -x $mock && -f $seed ]]
check installed_files $?

"$mock" --help >"$tmp/help" 2>&1
grep -q "project-test-11111111-2222-3333-4444-555555555555" "$tmp/help" &&
    grep -q "secret-test-mock" "$tmp/help" && grep -qF "$seed" "$tmp/help"
check help_shows_credentials_and_seed $?

# The installed seed is the one served: an organization only it holds is found.
sed -i 's/organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931/organization-test-installed-seed/' \
    "$seed"
mkfifo "$tmp/out"
"$mock" --port 0 --ca-out "$tmp/ca.pem" >"$tmp/out" 2>"$tmp/mock.err" &
mock_pid=$!
if read -r -t 30 line <"$tmp/out"; then
    STYTCH_PROJECT_ID=project-test-11111111-2222-3333-4444-555555555555 \
        STYTCH_SECRET=secret-test-mock STYTCH_BASE_URL=${line#listening on } \
        STYTCH_CA_FILE=$tmp/ca.pem "$cli" delete-external-id organization-test-installed-seed \
        >"$tmp/call.out" 2>&1
    check serves_the_installed_seed $?
else
    cat "$tmp/mock.err"
    check serves_the_installed_seed 1
fi
kill $mock_pid; wait $mock_pid 2>/dev/null; mock_pid=

# A seed whose organization lacks a required member is refused at start, naming it.
incomplete_seed=$tmp/incomplete.json
sed '0,/"resource_id": "invoices", /s///' "$seed" >"$incomplete_seed"
timeout 30 "$mock" --port 0 --seed "$incomplete_seed" >"$tmp/bad.out" 2>"$tmp/bad.err"
status=$?
[[ $status -eq 1 ]] &&
    grep -q "organizations\[0\]: custom_roles\[0\].permissions\[0\].resource_id is missing" \
        "$tmp/bad.err" && [[ ! -s $tmp/bad.out ]]
check incomplete_seed_is_refused $?
[[ $failed -eq 0 ]] || { cat "$tmp/install.log" "$tmp/bad.err" "$tmp/call.out" 2>/dev/null; }

echo "$passed passed, $failed failed"
((failed == 0))
