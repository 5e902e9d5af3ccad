#pragma once

// Where the API lives: base URL selection and parsing (Boost.URL).

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace stytch::detail {

/// A parsed https base URL.
struct endpoint {
    std::string host;  ///< for connect and SNI/verification; IPv6 without brackets
    std::uint16_t port = 443;
    std::string host_header;  ///< `Host` value: host, bracketed for IPv6, `:port` unless 443
    std::string path_prefix;  ///< "" or "/prefix" without trailing slash

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// Parses an explicit port: 1..65535, digits only.
bool parse_port(std::string_view s, std::uint16_t& out) noexcept;

/// `https://api.stytch.com` for `project-live-*` ids, `https://test.stytch.com` otherwise.
std::string_view default_base_url(std::string_view project_id) noexcept;

/// Parses `https://host[:port][/prefix][/]`. Errors: `error::insecure_base_url` for any other
/// scheme, `error::invalid_base_url` for anything unparsable, without host, or with
/// userinfo, query or fragment.
boost::system::result<endpoint> parse_base_url(std::string_view url);

}  // namespace stytch::detail
