#!/usr/bin/env bash
# The installed stytch-mock: it serves the sample seed installed beside it (not the source
# tree's), its --help shows the credentials it accepts, and an incomplete seed is refused at
# start with the missing member named.
set -u
cmake=$1
build=$2
cli=$3
source "$(dirname "$0")/../support/mock_lib.sh"

"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1
check install $?
mock=$tmp/prefix/bin/stytch-mock
seed=$(find "$tmp/prefix" -name organizations.json -path '*/stytch/*' | head -1)
[[ -x $mock && -f $seed ]]
check installed_files $?

"$mock" --help >"$tmp/help" 2>&1
grep -q "$mock_project_id" "$tmp/help" && grep -q "$mock_secret" "$tmp/help" &&
    grep -qF "$seed" "$tmp/help"
check help_shows_credentials_and_seed $?

# The installed seed is the one served: an organization only it holds is found.
sed -i "s/$acme_org/organization-test-installed-seed/" "$seed"
use_mock_credentials
if start_mock; then
    "$cli" delete-external-id organization-test-installed-seed >"$tmp/call.out" 2>&1
    check serves_the_installed_seed $?
else
    check serves_the_installed_seed 1
fi
stop_mock

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

summary
