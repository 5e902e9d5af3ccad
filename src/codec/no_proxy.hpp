#pragma once

// NO_PROXY matching: whether the API host is reached directly although a proxy is set.

#include <cstdint>
#include <string_view>

namespace stytch::detail {

/// True when `host` (a name, an IPv4 address or an IPv6 address without brackets) at `port`
/// is listed in `no_proxy`, with the rules documented at client_config::no_proxy. No DNS.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

}  // namespace stytch::detail
