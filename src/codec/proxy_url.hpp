#pragma once

// The HTTPS proxy: its URL, parsed, and the route a client takes to the API through it.

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace stytch::detail {

/// A parsed proxy URL `http[s]://[user:password@]host[:port]`.
struct proxy_endpoint {
    std::string host;  ///< for connect and, with `tls`, SNI and verification; IPv6 unbracketed
    std::uint16_t port = 1080;
    bool tls = false;  ///< `https://`: TLS to the proxy itself, the API's TLS inside it
    /// `Basic base64(user:password)` when the URL has a user, else empty. A secret.
    std::string authorization;

    friend bool operator==(const proxy_endpoint&, const proxy_endpoint&) = default;
};

/// Parses a proxy URL; a URL without `scheme://` is taken as `http://`. The port defaults to
/// 1080 for http (curl's default) and 443 for https. Fails with `error::invalid_config` for
/// any other scheme, no host, a path other than `/`, a query or
/// fragment, or a control character in the decoded user or password. The error never
/// carries any part of the URL.
boost::system::result<proxy_endpoint> parse_proxy_url(std::string_view url);

/// `host:port` (an IPv6 host in brackets), to name the proxy in errors; never the credentials.
std::string authority(const proxy_endpoint& p);

}  // namespace stytch::detail
