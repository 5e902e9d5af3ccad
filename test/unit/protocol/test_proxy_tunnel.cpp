// The CONNECT exchange with a proxy without sockets: the request, and the bounded reader of the
// proxy's answer fed in pieces.

#include <boost/test/unit_test.hpp>

#include <string>

#include "codec/base_url.hpp"
#include "codec/proxy_url.hpp"
#include "protocol/proxy_tunnel.hpp"

using namespace stytch::detail;
using state = connect_answer_reader::state;

namespace {

endpoint api(const std::string& url) {
    return parse_base_url(url).value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_tunnel)

BOOST_AUTO_TEST_CASE(connect_request_names_host_and_port) {
    proxy_endpoint proxy{"proxy", 3128, false, ""};
    BOOST_TEST(encode_connect(api("https://api.stytch.com"), proxy) ==
               "CONNECT api.stytch.com:443 HTTP/1.1\r\nHost: api.stytch.com:443\r\n\r\n");
    BOOST_TEST(encode_connect(api("https://[::1]:8443/p"), proxy) ==
               "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n");
    proxy.authorization = "Basic dTpw";
    BOOST_TEST(encode_connect(api("https://127.0.0.1:9"), proxy) ==
               "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"
               "Proxy-Authorization: Basic dTpw\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(two_hundred_in_pieces_establishes) {
    connect_answer_reader r;
    const std::string answer = "HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n";
    for (char c : answer.substr(0, answer.size() - 1)) {
        BOOST_TEST((r.feed(std::string_view(&c, 1)) == state::reading));
    }
    BOOST_TEST((r.feed("\n") == state::established));
    BOOST_TEST(r.status() == 200);
    connect_answer_reader bare;
    BOOST_TEST((bare.feed("HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n") == state::established));
}

BOOST_AUTO_TEST_CASE(interim_answers_are_skipped) {
    connect_answer_reader r;
    BOOST_TEST(
        (r.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n") == state::established));
}

BOOST_AUTO_TEST_CASE(other_statuses_refuse_with_the_status) {
    connect_answer_reader r;
    BOOST_TEST((r.feed("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: "
                       "Basic realm=\"p\"\r\nContent-Length: 5\r\n\r\nhello") == state::refused));
    BOOST_TEST(r.status() == 407);
    connect_answer_reader forbidden;
    BOOST_TEST((forbidden.feed("HTTP/1.0 403 Forbidden\r\n\r\n") == state::refused));
    BOOST_TEST(forbidden.status() == 403);
}

BOOST_AUTO_TEST_CASE(a_body_or_extra_bytes_after_two_hundred_break_the_tunnel) {
    for (const std::string answer :
         {"HTTP/1.1 200 OK\r\n\r\nX", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        connect_answer_reader r;
        BOOST_TEST((r.feed(answer) == state::broken), answer);
    }
    connect_answer_reader late;
    BOOST_TEST((late.feed("HTTP/1.1 200 OK\r\n\r\n") == state::established));
    BOOST_TEST((late.feed("\x16") == state::broken));
}

BOOST_AUTO_TEST_CASE(malformed_answers_break_the_tunnel) {
    for (const std::string answer :
         {"HTTP/2 200\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000\r\n\r\n",
          "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
          "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
          "HTTP/1.1 101 Switching Protocols\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n"}) {
        connect_answer_reader r;
        BOOST_TEST((r.feed(answer) == state::broken), answer);
    }
}

BOOST_AUTO_TEST_CASE(an_endless_header_hits_the_limit) {
    connect_answer_reader r(64);
    BOOST_TEST((r.feed("HTTP/1.1 200 OK\r\n") == state::reading));
    BOOST_TEST(r.room() == 64 - 17);
    BOOST_TEST((r.feed(std::string(r.room(), 'x')) == state::broken));
    BOOST_TEST(r.room() == 0);
    connect_answer_reader interim(64);  // interim answers count against the same limit
    std::string many;
    for (int i = 0; i < 4; ++i) {
        many += "HTTP/1.1 100 Continue\r\n\r\n";
    }
    BOOST_TEST((interim.feed(many) == state::broken));
}

BOOST_AUTO_TEST_SUITE_END()
