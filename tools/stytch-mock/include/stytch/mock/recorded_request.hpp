#pragma once

/// @file
/// What the mock server records of each request (`recorded_request`) and reports once it is
/// done with it (`answered_request`); part of `<stytch/mock/server.hpp>`.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stytch::mock {

/// One request as the server received it.
struct recorded_request {
    /// 1 for the first accepted connection, then 2, 3, ...
    std::uint64_t connection_id = 0;
    /// The HTTP method as sent, e.g. `DELETE`.
    std::string method;
    /// The request target as sent (path and query, not decoded).
    std::string target;
    /// In the order received, names as sent.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The request body (empty for the client's DELETE).
    std::string body;

    /// The value of the first header named `name` (case-insensitive), "" if absent.
    std::string header(std::string_view name) const;
};

/// What `server_options::on_answered` reports about one request.
struct answered_request {
    /// The request as received.
    const recorded_request& request;
    /// "HTTP/1.1" or "HTTP/2".
    std::string_view protocol;
    /// The HTTP status the server sent for it (also when a fault cut the answer short after
    /// its status line); 0 when none was sent: a dropped connection, a stall, raw bytes, an
    /// HTTP/2 stream reset, a script without `normal_answer`, an abandoned request.
    int status = 0;
    /// When the request was complete (wall clock).
    std::chrono::system_clock::time_point received_at{};
    /// From `received_at` until the server was done with the request (latency included).
    std::chrono::steady_clock::duration duration{};
};

}  // namespace stytch::mock
