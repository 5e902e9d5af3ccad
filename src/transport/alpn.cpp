#include "transport/alpn.hpp"

#include <stytch/error.hpp>

namespace stytch::detail {

namespace {

using namespace std::string_view_literals;

constexpr std::string_view h2 = "h2";
// Wire format: each name preceded by its length.
constexpr std::string_view offer_http1_1 = "\x08http/1.1"sv;
constexpr std::string_view offer_h2 = "\x02h2"sv;
constexpr std::string_view offer_both = "\x02h2\x08http/1.1"sv;  // h2 preferred

}  // namespace

std::string_view alpn_offer(http_version v) noexcept {
    switch (v) {
        case http_version::http2:
            return offer_h2;
        case http_version::automatic:
            return offer_both;
        case http_version::http1_1:
            break;
    }
    return offer_http1_1;
}

boost::system::result<wire_protocol> negotiated_protocol(http_version wanted,
                                                         std::string_view selected) noexcept {
    // OpenSSL fails the handshake when the server selects a protocol that was not offered, so
    // `h2` here means it was.
    if (selected == h2) {
        return wire_protocol::http2;
    }
    if (wanted == http_version::http2) {
        return boost::system::error_code(error::http2_not_negotiated);
    }
    return wire_protocol::http1_1;
}

}  // namespace stytch::detail
