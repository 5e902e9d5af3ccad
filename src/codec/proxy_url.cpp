// Proxy URL parsing with Boost.URL.

#include "codec/proxy_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>

#include <stytch/error.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"

namespace stytch::detail {
namespace {

bool has_control_character(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7F;
    });
}

}  // namespace

boost::system::result<proxy_endpoint> parse_proxy_url(std::string_view url) {
    const auto invalid = make_error_code(error::invalid_config);
    std::string with_scheme;
    if (url.find("://") == std::string_view::npos) {
        with_scheme = "http://";
        with_scheme.append(url);
        url = with_scheme;
    }
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return invalid;
    }
    const boost::urls::url_view& u = *parsed;
    const std::string_view path = u.encoded_path();
    const bool tls = u.scheme_id() == boost::urls::scheme::https;
    if ((u.scheme_id() != boost::urls::scheme::http && !tls) || !u.has_authority() ||
        u.has_query() || u.has_fragment() || !(path.empty() || path == "/")) {
        return invalid;
    }

    proxy_endpoint p;
    p.tls = tls;
    p.port = tls ? 443 : 1080;
    switch (u.host_type()) {
        case boost::urls::host_type::name:
        case boost::urls::host_type::ipv4:
            p.host.assign(u.encoded_host());
            if (p.host.find('%') != std::string::npos) {
                return invalid;
            }
            break;
        case boost::urls::host_type::ipv6:
            p.host.assign(u.encoded_host_address());
            break;
        default:
            return invalid;
    }
    if (p.host.empty() || (u.has_port() && !parse_port(u.port(), p.port))) {
        return invalid;
    }

    if (u.has_userinfo()) {
        const std::string user = u.user();
        const std::string password = u.password();
        if (user.empty() || user.find(':') != std::string::npos || has_control_character(user) ||
            has_control_character(password)) {
            return invalid;
        }
        p.authorization = "Basic " + base64_encode(user + ":" + password);
    }
    return p;
}

std::string authority(const proxy_endpoint& p) {
    const bool v6 = p.host.find(':') != std::string::npos;
    return (v6 ? "[" + p.host + "]" : p.host) + ':' + std::to_string(p.port);
}

}  // namespace stytch::detail
