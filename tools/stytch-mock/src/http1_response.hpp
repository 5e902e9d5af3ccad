#pragma once

// HTTP/1.1 answers as bytes: what a `reply` looks like on the wire, for normal answers and for
// the faults that cut one short.

#include <stytch/mock/server.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>

namespace stytch::mock::detail {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// The response `r` describes; `keep_alive` tells whether the connection stays open after it.
/// When `r` cannot be rendered (e.g. a header value with a newline), a 500 with body `fallback`
/// that closes the connection.
http_response build_response(const reply& r, bool request_keep_alive, bool& keep_alive,
                             std::string_view fallback);

/// The status line and header section of `response`, CRLF CRLF included.
std::string header_bytes(const http_response& response);

}  // namespace stytch::mock::detail
