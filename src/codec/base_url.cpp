// Base URL selection and parsing with Boost.URL.

#include "codec/base_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <string>

#include <stytch/error.hpp>

namespace stytch::detail {
namespace {

constexpr std::string_view live_prefix = "project-live-";

// A reg-name host is used verbatim for DNS, SNI and the Host header: percent-escapes would
// need decoding into bytes that might not be valid there, so they are refused.
bool is_plain_reg_name(std::string_view host) noexcept {
    return !host.empty() && host.find('%') == std::string_view::npos;
}

}  // namespace

bool parse_port(std::string_view s, std::uint16_t& out) noexcept {
    if (s.empty() || s.size() > 5) {
        return false;
    }
    unsigned value = 0;
    const auto* const end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value);
    if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) {
        return false;
    }
    out = static_cast<std::uint16_t>(value);
    return true;
}

std::string_view default_base_url(std::string_view project_id) noexcept {
    if (project_id.starts_with(live_prefix)) {
        return "https://api.stytch.com";
    }
    return "https://test.stytch.com";
}

boost::system::result<endpoint> parse_base_url(std::string_view url) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return make_error_code(error::invalid_base_url);
    }
    const boost::urls::url_view& u = *parsed;

    // scheme_id() compares the scheme case-insensitively.
    if (u.scheme_id() != boost::urls::scheme::https) {
        return make_error_code(error::insecure_base_url);
    }
    if (!u.has_authority() || u.has_userinfo() || u.has_query() || u.has_fragment()) {
        return make_error_code(error::invalid_base_url);
    }

    endpoint ep;
    switch (u.host_type()) {
        case boost::urls::host_type::name: {
            const std::string_view host = u.encoded_host();
            if (!is_plain_reg_name(host)) {
                return make_error_code(error::invalid_base_url);
            }
            ep.host.assign(host);
            ep.host_header.assign(host);
            break;
        }
        case boost::urls::host_type::ipv4: {
            const std::string_view host = u.encoded_host();
            ep.host.assign(host);
            ep.host_header.assign(host);
            break;
        }
        case boost::urls::host_type::ipv6: {
            const std::string_view address = u.encoded_host_address();
            ep.host.assign(address);
            ep.host_header.reserve(address.size() + 2);
            ep.host_header.push_back('[');
            ep.host_header.append(address);
            ep.host_header.push_back(']');
            break;
        }
        default:  // none (empty host) or IPvFuture, which nothing can connect to
            return make_error_code(error::invalid_base_url);
    }

    if (u.has_port()) {
        if (!parse_port(u.port(), ep.port)) {
            return make_error_code(error::invalid_base_url);
        }
    }
    if (ep.port != 443) {
        ep.host_header.push_back(':');
        ep.host_header.append(std::to_string(ep.port));
    }

    std::string_view path = u.encoded_path();
    // Boost.URL 1.81 reads "https://127.0.0.1.0.1:8443/p" as host 127.0.0.1 and path
    // ".0.1:8443/p" (found by fuzzing): a path after an authority must start with '/'.
    if (!path.empty() && path.front() != '/') {
        return make_error_code(error::invalid_base_url);
    }
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    ep.path_prefix.assign(path);
    return ep;
}

}  // namespace stytch::detail
