#pragma once

// What the h2_session tests need beside the mock's sans-io HTTP/2 server session (the one
// server implementation, tools/stytch-mock/src/h2_server_session.hpp): `pump` moves the bytes
// between it and a client session until both are quiet, handing each complete request to the
// test; `frame` builds raw frames for what that server would never send (HPACK bombs,
// CONTINUATION floods, bodies held on many streams).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "h2_server_session.hpp"
#include "protocol/h2_session.hpp"

namespace stytch::test {

using mock::detail::h2_request;
using mock::detail::h2_server_config;
using mock::detail::h2_server_session;

/// Called once per complete request (END_STREAM received), in the order they completed: it
/// may answer, refuse, fail or send GOAWAY through the server.
using h2_request_handler = std::function<void(h2_server_session&, const h2_request&)>;

/// Hands the server's complete requests to `on_request` (they are dropped without one).
inline void serve(h2_server_session& server, const h2_request_handler& on_request) {
    for (const auto& request : server.take_requests()) {
        if (on_request) {
            on_request(server, request);
        }
    }
}

/// Moves bytes both ways until neither side has anything to send; returns the bytes the
/// server sent. A connection error on the server's side fails the test (it throws).
inline std::size_t pump(detail::h2_session& client, h2_server_session& server,
                        const h2_request_handler& on_request = {}) {
    std::size_t from_server = 0;
    for (int round = 0; round < 1000; ++round) {
        std::string out;
        client.take_output(out);
        if (!out.empty() && !server.receive(out)) {
            throw std::runtime_error("test server: connection error on the client's bytes");
        }
        serve(server, on_request);
        std::string in;
        if (!server.take_output(in)) {
            throw std::runtime_error("test server: connection error while sending");
        }
        from_server += in.size();
        if (!in.empty()) {
            client.receive(in);
        }
        if (out.empty() && in.empty()) {
            break;
        }
    }
    return from_server;
}

/// One raw HTTP/2 frame (RFC 9113 §4.1).
inline std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream_id,
                         std::string_view payload) {
    std::string f;
    const auto size = static_cast<std::uint32_t>(payload.size());
    f += static_cast<char>(size >> 16);
    f += static_cast<char>(size >> 8);
    f += static_cast<char>(size);
    f += static_cast<char>(type);
    f += static_cast<char>(flags);
    f += static_cast<char>((stream_id >> 24) & 0x7f);
    f += static_cast<char>(stream_id >> 16);
    f += static_cast<char>(stream_id >> 8);
    f += static_cast<char>(stream_id);
    f += payload;
    return f;
}

}  // namespace stytch::test
