#pragma once

// How the engine files a finished call and a closed connection into client_stats' buckets;
// pure functions, tested without sockets (test/unit/test_stats.cpp).

#include <boost/system/error_code.hpp>

#include <stytch/stats.hpp>

#include "engine/connection_state.hpp"

namespace stytch::detail {

/// Counts one failed call (`ec` non-empty) in its field of `f`.
void count_failure(call_failures& f, boost::system::error_code ec) noexcept;

/// Counts a connection that an attempt gives back, when the client closes it: not reusable
/// (`s` is not `ready`) or the client is closed. `open_failed`: the attempt could not open it.
/// Returns whether it was counted (closed).
bool count_discard(connection_discards& d, connection_state s, bool open_failed,
                   bool client_closed) noexcept;

}  // namespace stytch::detail
