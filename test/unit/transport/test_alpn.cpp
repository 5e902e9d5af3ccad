// The ALPN rule as pure functions: what each http_version offers, what a connection speaks.

#include <boost/test/unit_test.hpp>

#include <string_view>

#include <stytch/error.hpp>

#include "transport/alpn.hpp"

using namespace std::string_view_literals;
using stytch::http_version;
using stytch::detail::alpn_offer;
using stytch::detail::negotiated_protocol;
using stytch::detail::wire_protocol;

BOOST_AUTO_TEST_SUITE(alpn)

BOOST_AUTO_TEST_CASE(offers_in_wire_format) {
    BOOST_TEST(alpn_offer(http_version::automatic) == "\x02h2\x08http/1.1"sv);  // h2 preferred
    BOOST_TEST(alpn_offer(http_version::http1_1) == "\x08http/1.1"sv);
    BOOST_TEST(alpn_offer(http_version::http2) == "\x02h2"sv);
}

BOOST_AUTO_TEST_CASE(what_a_connection_speaks) {
    for (auto v : {http_version::automatic, http_version::http1_1, http_version::http2}) {
        BOOST_TEST((negotiated_protocol(v, "h2").value() == wire_protocol::http2));
    }
    for (auto selected : {""sv, "http/1.1"sv}) {
        BOOST_TEST((negotiated_protocol(http_version::automatic, selected).value() ==
                    wire_protocol::http1_1));
        BOOST_TEST((negotiated_protocol(http_version::http1_1, selected).value() ==
                    wire_protocol::http1_1));
        BOOST_TEST((negotiated_protocol(http_version::http2, selected).error() ==
                    stytch::error::http2_not_negotiated));
    }
}

BOOST_AUTO_TEST_SUITE_END()
