#pragma once

/// @file
/// The mock server's construction parameters (`server_options`); part of
/// `<stytch/mock/server.hpp>`.

#include <stytch/mock/certificates.hpp>
#include <stytch/mock/recorded_request.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace stytch::mock {

/// Construction parameters of a `server`.
struct server_options {
    /// The Basic credentials the server accepts: `project_id:secret`.
    std::string project_id = "project-test-11111111-2222-3333-4444-555555555555";
    /// The secret half of the accepted Basic credentials.
    std::string secret = "secret-test-mock";
    /// The address to bind (an IP literal).
    std::string address = "127.0.0.1";
    /// 0: an ephemeral port, see `server::port()`.
    std::uint16_t port = 0;
    /// Served at `<prefix>/v1/b2b/...`, e.g. "/stytch". A missing leading '/' is added and
    /// trailing '/' are removed.
    std::string path_prefix;
    /// The server's certificate and key; a fresh one from `make_tls_identity()` when absent.
    std::optional<tls_identity> identity;
    /// The server closes a connection that has not sent (all of) its next request within this
    /// time. Also bounds reading one request. `milliseconds::max()` (or any value past the
    /// clock's range) means no limit.
    std::chrono::milliseconds keep_alive_timeout{std::chrono::seconds(30)};
    /// Threads running the server's io_context (0 is taken as 1).
    std::size_t threads = 1;
    /// Mutual TLS: when not empty, the PEM CA certificate(s) that must have signed a client
    /// certificate; a client without one, or with another, fails the TLS handshake.
    std::string client_ca_pem;
    /// Fault: accept TCP connections but never complete the TLS handshake (bytes the client
    /// sends are read and dropped until it closes or the server stops).
    bool stall_tls_handshake = false;
    /// Latency: every answer (normal, overridden or fault) waits this long after its request
    /// was read, on a timer, so other connections are served meanwhile (at most a year).
    std::chrono::milliseconds answer_delay{0};
    /// Latency spread: when greater than `answer_delay`, each answer waits a time drawn
    /// uniformly (whole milliseconds, both ends included) from [answer_delay,
    /// answer_delay_max] instead, so a benchmark can check its percentiles against a known
    /// distribution (at most a year).
    std::chrono::milliseconds answer_delay_max{0};
    /// ALPN: the protocols the server selects from, in its order of preference, when the
    /// client offers one of them (the server selects none otherwise, and the client then
    /// speaks HTTP/1.1). When it selects `h2` the connection speaks HTTP/2 (nghttp2): each
    /// stream's request goes through the same handling (store, override hook, answer_delay);
    /// a hook's `respond` is sent as HEADERS and DATA, `stall` is never answered,
    /// `close_without_answer` closes the connection, and any other fault (they are HTTP/1.1
    /// byte-level faults) resets the stream with INTERNAL_ERROR.
    std::vector<std::string> alpn{"http/1.1"};
    /// HTTP/2: the SETTINGS_MAX_CONCURRENT_STREAMS the server announces.
    std::uint32_t h2_max_concurrent_streams = 100;
    /// HTTP/2 fault: once a connection's N-th request arrives, send GOAWAY NO_ERROR with that
    /// request's stream id as last_stream_id; later streams are not processed. 0: never.
    std::size_t h2_goaway_after = 0;
    /// HTTP/2 fault: a connection's N-th request gets RST_STREAM REFUSED_STREAM and is not
    /// processed (not counted in `requests_received()`). 0: none.
    std::size_t h2_refuse_stream = 0;
    /// HTTP/2 fault: the server never sends WINDOW_UPDATE: the request bodies of a connection,
    /// all together, get the initial 65,535-byte window and no more. Requests without a body
    /// are unaffected.
    bool h2_no_window_update = false;
    /// HTTP/2 fault: the server never acknowledges a PING; streams are answered as usual.
    bool h2_ignore_ping = false;
    /// HTTP/2 fault: a connection's N-th request is counted and recorded, and answered (after
    /// `answer_delay`) with an HPACK bomb instead: about 20 KB of header block that decodes to
    /// about 64 MB of header list (one field in the dynamic table referenced 16,000 times),
    /// END_STREAM. Other streams are answered as usual. 0: none.
    std::size_t h2_hpack_bomb = 0;
    /// HTTP/2 fault: a connection's N-th request is counted and recorded, and answered (after
    /// `answer_delay`) with a HEADERS frame without END_HEADERS followed by a CONTINUATION
    /// frame every 10 ms, until the client closes the connection or the server stops; nothing
    /// else is sent on that connection from then on. 0: none.
    std::size_t h2_endless_continuation = 0;
    /// Keep every request for `requests()`. Turn off for long runs (soak tests): memory then
    /// stays flat, and `requests_received()` still counts them.
    bool record_requests = true;
    /// Called on a server thread once the server is done with each request counted by
    /// `requests_received()`: its answer written, its fault carried out (a stall: when the
    /// client went away), or abandoned by `stop()`. For request logs; it must not throw (what it
    /// throws is ignored) nor call `stop()`. Requests refused before they are complete (malformed
    /// HTTP, oversized headers) and HTTP/2 streams refused by `h2_refuse_stream` are not counted.
    std::function<void(const answered_request&)> on_answered{};
};

}  // namespace stytch::mock
