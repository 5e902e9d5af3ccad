// NO_PROXY matching as curl and Go do it, without DNS.

#include "codec/no_proxy.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <optional>
#include <string>

#include "codec/base_url.hpp"

namespace stytch::detail {
namespace {

/// An IPv4 or IPv6 address as bytes (4 or 16 of them).
struct ip_bytes {
    std::array<unsigned char, 16> bytes{};
    std::size_t size = 0;
};

std::optional<ip_bytes> parse_ip(std::string_view s) {
    ip_bytes ip;
    if (auto v4 = boost::urls::parse_ipv4_address(s)) {
        const auto b = v4->to_bytes();
        std::copy(b.begin(), b.end(), ip.bytes.begin());
        ip.size = 4;
        return ip;
    }
    if (auto v6 = boost::urls::parse_ipv6_address(s)) {
        ip.bytes = v6->to_bytes();
        ip.size = 16;
        return ip;
    }
    return std::nullopt;
}

// Whether the first `bits` bits of `a` and `b` agree (same family only).
bool same_prefix(const ip_bytes& a, const ip_bytes& b, std::size_t bits) {
    if (a.size != b.size || bits > a.size * 8) {
        return false;
    }
    for (std::size_t i = 0; i < a.size && bits > 0; ++i) {
        const std::size_t n = bits < 8 ? bits : 8;
        const auto mask = static_cast<unsigned char>(0xFF << (8 - n));
        if ((a.bytes[i] & mask) != (b.bytes[i] & mask)) {
            return false;
        }
        bits -= n;
    }
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view without_trailing_dot(std::string_view s) {
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1);
    }
    return s;
}

// Splits `entry` into address and optional port: `[v6]:port`, `name:port`, or a bare IPv6
// address (more than one colon). Returns false for a port that does not parse.
bool split_port(std::string_view& entry, std::optional<std::uint16_t>& port) {
    std::string_view rest;
    if (entry.starts_with('[')) {
        const auto close = entry.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        rest = entry.substr(close + 1);
        entry = entry.substr(1, close - 1);
        if (rest.empty()) {
            return true;
        }
        if (rest.front() != ':') {
            return false;
        }
    } else {
        const auto colon = entry.find(':');
        if (colon == std::string_view::npos ||
            entry.find(':', colon + 1) != std::string_view::npos) {
            return true;
        }
        rest = entry.substr(colon);
        entry = entry.substr(0, colon);
    }
    std::uint16_t p = 0;
    if (!parse_port(rest.substr(1), p)) {
        return false;
    }
    port = p;
    return true;
}

bool entry_matches(std::string_view entry, std::string_view host,
                   const std::optional<ip_bytes>& host_ip, std::uint16_t port) {
    if (entry == "*") {
        return true;
    }
    std::optional<std::uint16_t> entry_port;
    if (!split_port(entry, entry_port) || (entry_port && *entry_port != port)) {
        return false;
    }
    if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
        const auto network = parse_ip(entry.substr(0, slash));
        const std::string_view bits_text = entry.substr(slash + 1);
        std::size_t bits = 0;
        const auto [end, ec] =
            std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
        return network && host_ip && !bits_text.empty() && ec == std::errc{} &&
               end == bits_text.data() + bits_text.size() && same_prefix(*network, *host_ip, bits);
    }
    if (const auto ip = parse_ip(entry)) {
        return host_ip && same_prefix(*ip, *host_ip, ip->size * 8);
    }
    if (host_ip) {
        return false;  // a name never matches an address: nothing is resolved
    }
    if (entry.starts_with("*.")) {
        entry.remove_prefix(2);
    } else if (entry.starts_with('.')) {
        entry.remove_prefix(1);
    }
    entry = without_trailing_dot(entry);
    const std::string name = lower(entry);
    if (name.empty()) {
        return false;
    }
    return host == name || (host.size() > name.size() && host.ends_with(name) &&
                            host[host.size() - name.size() - 1] == '.');
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port) {
    const std::string target = lower(without_trailing_dot(host));
    const auto target_ip = parse_ip(target);
    constexpr std::string_view separators = ", \t";
    std::size_t pos = 0;
    while (pos < no_proxy.size()) {
        const auto start = no_proxy.find_first_not_of(separators, pos);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = no_proxy.find_first_of(separators, start);
        if (end == std::string_view::npos) {
            end = no_proxy.size();
        }
        if (entry_matches(no_proxy.substr(start, end - start), target, target_ip, port)) {
            return true;
        }
        pos = end;
    }
    return false;
}

}  // namespace stytch::detail
