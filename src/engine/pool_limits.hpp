#pragma once

// The sizing of a connection_pool (connection_pool.hpp).

#include <chrono>
#include <cstddef>

namespace stytch::detail {

/// Sizing of a connection_pool.
struct pool_limits {
    std::size_t max_connections = 16;
    std::chrono::milliseconds idle_timeout{60'000};
    /// Idle connections (the most recently used) that keep their TLS buffers.
    std::size_t warm_idle = 8;
    /// Connections may turn out HTTP/2 (the cold start): while no connection has told which
    /// protocol the server speaks (ALPN, in the TLS handshake), open one connection only, as
    /// Go's transport does: over HTTP/2 that one may carry every waiting call. Once a handshake
    /// told HTTP/2 (connection_pool::opened()), a new connection opens only for calls that the
    /// connections being opened will not carry (each is expected to take as many streams as
    /// the last one allowed); once one told HTTP/1.1, up to
    /// `max_connections` open at once, as without probing. The protocol learned last is kept
    /// for the pool's life: a burst after an idle spell opens as the server last answered.
    /// False: every call may open one (HTTP/1.1 only).
    bool probe_protocol = false;
};

}  // namespace stytch::detail
