#pragma once

// ALPN (RFC 7301): which protocols a client offers for each configured http_version, and what
// a connection speaks once the server has chosen. Pure functions; tls_context applies them.

#include <boost/system/result.hpp>

#include <string_view>

#include <stytch/config.hpp>

namespace stytch::detail {

/// What a connection speaks after the TLS handshake.
enum class wire_protocol { http1_1, http2 };

/// The ALPN protocol list, in wire format (length-prefixed names), offered for `v`.
/// `automatic` offers `http/1.1` alone until the engine speaks HTTP/2; then `h2,http/1.1`.
std::string_view alpn_offer(http_version v) noexcept;

/// The protocol of a connection configured with `wanted` whose server selected `selected`
/// (empty: the server selected none, which means HTTP/1.1), or `error::http2_not_negotiated`
/// when `wanted` is `http2` and the server did not select `h2`.
boost::system::result<wire_protocol> negotiated_protocol(http_version wanted,
                                                         std::string_view selected) noexcept;

}  // namespace stytch::detail
