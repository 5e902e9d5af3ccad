#pragma once

// Hand-written HTTP/2 frames for the faults nghttp2 would never send (an HPACK bomb, a header
// block that never ends) and for tests that speak raw HTTP/2. Bytes only, no state: the caller
// writes them whole, through the connection's one writer, so no frame is split by another.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stytch::mock::detail::h2_raw {

/// Frame types (RFC 9113 §6).
enum frame_type : std::uint8_t {
    data = 0x0,
    headers = 0x1,
    rst_stream = 0x3,
    settings = 0x4,
    ping = 0x6,
    goaway = 0x7,
    window_update = 0x8,
    continuation = 0x9,
};

/// Frame flags (RFC 9113 §6).
inline constexpr std::uint8_t flag_end_stream = 0x1;
inline constexpr std::uint8_t flag_ack = 0x1;
inline constexpr std::uint8_t flag_end_headers = 0x4;

/// The client connection preface (RFC 9113 §3.4), before the client's SETTINGS.
inline constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One frame: the 9-byte header (24-bit length, type, flags, 31-bit stream id), then
/// `payload`, which must be shorter than 2^24 bytes.
std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                  std::string_view payload);

/// Appends an HPACK literal field without indexing, with a literal name (RFC 7541 §6.2.2):
/// the decoder's dynamic table is left as it is.
void append_literal_field(std::string& block, std::string_view name, std::string_view value);

/// An answer on `stream_id` whose header list decodes to about `references` × 4 KB from about
/// 4 KB + `references` bytes: `:status 200`, one 4,000-byte field inserted into the dynamic
/// table, then `references` one-byte references to it; HEADERS (END_STREAM) and as many
/// CONTINUATION frames as frames of at most 16,384 bytes need. The block first sets the table
/// size to 4,096 (the protocol's default), so the encoder that shares the connection must not
/// use the dynamic table itself.
std::string hpack_bomb(std::int32_t stream_id, std::size_t references);

/// The start of an answer whose header block never ends: HEADERS with `:status 200` and
/// without END_HEADERS.
std::string unfinished_headers(std::int32_t stream_id);

/// One more CONTINUATION frame (one small literal field, no END_HEADERS) for `stream_id`.
std::string continuation_frame(std::int32_t stream_id);

}  // namespace stytch::mock::detail::h2_raw
