#pragma once

// The fixture most tests start from: the mock server (server_fixture) plus the clients of the
// test, made from the test's config in one line with every attempt recorded, so that a test
// spells out only what it changes and what it checks.

#include <deque>
#include <functional>
#include <string>

#include <stytch/stytch.hpp>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/server.hpp"

namespace stytch::test {

/// A `server_fixture` that makes and owns the test's clients (destroyed before its `ioc`).
struct client_fixture : server_fixture {
    using server_fixture::server_fixture;

    /// Changes a test makes to its client config.
    using tweak = std::function<void(client_config&)>;

    /// A client with `fast_config(*this)`, its `on_attempt` recording into `log`, then
    /// `changes` applied (a change may replace `on_attempt`).
    client& make_client(const tweak& changes = {});

    /// A client with `cfg` exactly as given (no attempt log unless `cfg` attached one).
    client& make_client(client_config cfg);

    /// A client with `base` (say `config()`: the library's own retry and time limits) and
    /// `changes` applied; no attempt log.
    client& make_client(client_config base, const tweak& changes);

    /// One call for `organization_id` on the client made last, run to completion on `ioc`
    /// (the value, or the error code and the api_error in `error().details`).
    result<b2b::delete_external_id_response> run_call(
        const std::string& organization_id = first_org,
        const b2b::delete_external_id_options& options = {});

    /// Starts `n` callback-form calls for first_org on `c` at once, runs until all completed
    /// and returns how many succeeded (once, without error, for first_org).
    std::size_t run_calls(client& c, std::size_t n);

    /// The attempts of the clients made with `make_client(tweak)`.
    attempt_log log;

  private:
    std::deque<client> clients_;  // a deque: a client's address stays put as others are added
};

/// One connection that carries one call at a time, over HTTP/2 too: for tests about calls
/// waiting for a connection.
void one_call_at_a_time(client_config& cfg);

/// The config `make_client(changes)` uses, for a test that needs it before making the client.
client_config fast_config(const server_fixture& f, attempt_log& log,
                          const client_fixture::tweak& changes);

}  // namespace stytch::test
