#pragma once

// A hand-driven HTTP/2 server over TLS on 127.0.0.1 for the HTTP/2 conformance suite: every
// frame it sends is written byte by byte by the test's script (no nghttp2 on this side), at
// the moment the script chooses, and every frame the client sends is parsed and timestamped.
// One thread per connection runs that connection's script with blocking OpenSSL calls.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/ssl.h>

namespace stytch::test::h2 {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Frame types and flags (RFC 9113 §6).
enum frame_type : std::uint8_t {
    data = 0x0,
    headers = 0x1,
    priority = 0x2,
    rst_stream = 0x3,
    settings = 0x4,
    push_promise = 0x5,
    ping = 0x6,
    goaway = 0x7,
    window_update = 0x8,
    continuation = 0x9,
};
inline constexpr std::uint8_t end_stream = 0x1;
inline constexpr std::uint8_t ack = 0x1;
inline constexpr std::uint8_t end_headers = 0x4;

/// One frame: the 9-byte header, then `payload`.
std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                  std::string_view payload);
/// A 32-bit value in network order (window increments, error codes, stream ids).
std::string u32(std::uint32_t v);
/// The 32-bit value in network order at `at` of `bytes` (0 when too short).
std::uint32_t u32_at(std::string_view bytes, std::size_t at);
/// A SETTINGS frame with `(id, value)` entries.
std::string settings_frame(std::vector<std::pair<std::uint16_t, std::uint32_t>> entries = {});

/// HPACK (RFC 7541) by hand: no Huffman, no dynamic table unless asked.
namespace hpack {
/// `:status` as a literal field without indexing (any status, also duplicates).
std::string status(int code);
/// A literal field without indexing, with a literal name (§6.2.2).
std::string literal(std::string_view name, std::string_view value);
}  // namespace hpack

/// A complete answer on `stream_id`: HEADERS (`:status`, content-type, content-length) and
/// one DATA frame with END_STREAM.
std::string answer(std::int32_t stream_id, int status, std::string_view body);

/// The body of a successful DeleteExternalId answer for `test::first_org` (the interop
/// fixture's organization, renamed).
const std::string& ok_body();

/// A frame the client sent, as parsed, and when it arrived.
struct received_frame {
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::int32_t stream_id = 0;
    std::string payload;
    clock::time_point at;
    /// The error code of an RST_STREAM or a GOAWAY.
    std::uint32_t error_code() const;
};

/// One accepted connection, as its script sees it.
class peer {
  public:
    peer(SSL* ssl, int fd);
    ~peer();
    peer(const peer&) = delete;
    peer& operator=(const peer&) = delete;

    /// Reads the client preface and SETTINGS, sends the server's SETTINGS (`entries`) and
    /// acknowledges the client's.
    void start(std::vector<std::pair<std::uint16_t, std::uint32_t>> entries = {});
    /// Reads frames until the client starts a request (HEADERS); returns its stream id.
    std::int32_t next_request(milliseconds timeout = milliseconds(5000));
    /// Reads frames until one of `type` arrives; throws on timeout or close.
    received_frame expect(std::uint8_t type, milliseconds timeout = milliseconds(5000));
    /// Writes `bytes` now, in TLS records of at most `record_size` bytes; returns when written.
    void send(std::string_view bytes, std::size_t record_size = 16384);
    /// Like send(), but a client that closes before all is written (it may act on the first
    /// part) is not a failure: returns false then, and what it sent stays readable.
    bool send_unless_closed(std::string_view bytes, std::size_t record_size = 16384);
    /// When the last send() returned.
    clock::time_point sent_at() const { return sent_at_; }
    /// Reads everything the client sends until it closes the connection (or `timeout`);
    /// true when it closed. closed_at() tells when.
    bool read_until_closed(milliseconds timeout = milliseconds(5000));
    clock::time_point closed_at() const { return closed_at_; }
    /// Reads one frame if one arrives within `timeout`; false otherwise (or on close).
    bool poll_frame(milliseconds timeout) { return read_frame(clock::now() + timeout); }
    /// Every frame received so far.
    const std::vector<received_frame>& frames() const { return frames_; }
    /// The first received frame of `type`, or nullptr.
    const received_frame* first(std::uint8_t type) const;
    /// Sends a TLS 1.3 KeyUpdate that asks the client to update its keys too.
    void send_key_update();
    /// True once a read saw the client close (EOF or reset).
    bool closed() const { return closed_; }

  private:
    // One frame from the client, or false on timeout, EOF or error.
    bool read_frame(clock::time_point until);
    bool fill(clock::time_point until);

    SSL* ssl_;
    int fd_;
    std::string in_;
    std::vector<received_frame> frames_;
    clock::time_point sent_at_{};
    clock::time_point closed_at_{};
    bool closed_ = false;
};

/// The server: connection n (from 0) runs `scripts[n]`; connections beyond the list run the
/// last script. A script that throws closes its connection (the failure is reported by
/// failures()).
class script_server {
  public:
    using script = std::function<void(peer&)>;
    explicit script_server(std::vector<script> scripts);
    ~script_server();
    script_server(const script_server&) = delete;
    script_server& operator=(const script_server&) = delete;

    /// "https://127.0.0.1:<port>".
    std::string base_url() const;
    /// The CA certificate (PEM) clients must trust.
    const std::string& ca_pem() const;
    std::size_t connections_accepted() const;
    /// What scripts threw, one line each (empty when all ran through).
    std::vector<std::string> failures() const;
    /// Waits until every accepted connection's script has returned (at most `timeout`).
    bool wait_scripts(milliseconds timeout = milliseconds(10000)) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace stytch::test::h2
