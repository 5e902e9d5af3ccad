// What an attempt came to, as a table (engine/outcome.hpp): each judge's verdict for each kind
// of failure or answer, and which attempts count, without sockets.

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "engine/outcome.hpp"

using namespace stytch::detail;
using stytch::error;
namespace asio = boost::asio;

namespace {

constexpr const char* own_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";

verdict of_answer(int status, bool reused, std::string_view body = "{}") {
    stytch::client_config cfg;
    stytch::b2b::delete_external_id_response into;
    return judge_answer(http_answer{status, body, {}}, reused, into, cfg, own_id).verdict;
}

verdict of_stream(h2_outcome outcome, bool reused, boost::system::error_code lost = {},
                  bool answer_started = false) {
    stytch::client_config cfg;
    stytch::b2b::delete_external_id_response into;
    h2_result r;
    r.outcome = outcome;
    r.answer_started = answer_started;
    return judge_stream(r, reused, lost, into, cfg, own_id).verdict;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(attempt_verdicts)

BOOST_AUTO_TEST_CASE(opening_a_connection) {
    BOOST_TEST(
        (judge_open_failure(asio::error::timed_out, 0, false, "").verdict == verdict::retry));
    BOOST_TEST((judge_open_failure(asio::error::connection_refused, 0, false, "").verdict ==
                verdict::retry));
    BOOST_TEST(
        (judge_open_failure(error::proxy_refused, 407, false, "p:1").verdict == verdict::final));
    const auto o = judge_open_failure(asio::error::timed_out, 0, true, "");
    BOOST_TEST(o.open_failed);
    BOOST_TEST((o.phase == stytch::attempt_phase::tls_handshake));
}

BOOST_AUTO_TEST_CASE(an_exchange_that_failed) {
    const boost::system::error_code eof = boost::beast::http::error::end_of_stream;
    // A TLS alert (OpenSSL's error, in Asio's ssl category): a refused client certificate, say.
    const boost::system::error_code alert(1, asio::error::get_ssl_category());
    // Before any byte of an answer: on a pooled connection the server had closed it.
    BOOST_TEST((judge_exchange_failure(eof, true, true).verdict == verdict::replace));
    BOOST_TEST((judge_exchange_failure(eof, false, true).verdict == verdict::retry));
    BOOST_TEST((judge_exchange_failure(alert, false, true).verdict == verdict::final));
    // Mid-answer: the server may have acted.
    BOOST_TEST((judge_exchange_failure(eof, true, false).verdict == verdict::final));
    BOOST_TEST((judge_exchange_failure(eof, false, false).verdict == verdict::final));
}

BOOST_AUTO_TEST_CASE(an_http1_answer) {
    BOOST_TEST((of_answer(408, true) == verdict::replace));  // a keep-alive timeout's 408
    BOOST_TEST((of_answer(408, false) == verdict::final));
    BOOST_TEST((of_answer(429, false) == verdict::retry));
    BOOST_TEST((of_answer(503, true) == verdict::retry));
    BOOST_TEST((of_answer(404, true) == verdict::final));
    BOOST_TEST((of_answer(200, true, "not json") == verdict::final));
}

BOOST_AUTO_TEST_CASE(an_http2_stream) {
    BOOST_TEST((of_stream(h2_outcome::refused, true) == verdict::requeue_refused));
    BOOST_TEST((of_stream(h2_outcome::not_processed, false) == verdict::requeue_refused));
    BOOST_TEST((of_stream(h2_outcome::reset, true) == verdict::final));
    BOOST_TEST((of_stream(h2_outcome::protocol_error, true) == verdict::final));
    BOOST_TEST((of_stream(h2_outcome::body_too_large, true) == verdict::final));
    BOOST_TEST((of_stream(h2_outcome::cancelled, true) == verdict::final));
    const boost::system::error_code eof = asio::error::eof;
    // A shared connection lost before any answer on the stream: back to the pool's queue.
    BOOST_TEST((of_stream(h2_outcome::connection_error, true, eof) == verdict::requeue_stale));
    BOOST_TEST((of_stream(h2_outcome::connection_error, false, eof) == verdict::retry));
    BOOST_TEST((of_stream(h2_outcome::connection_error, true, eof, true) == verdict::final));
    // The server broke HTTP/2: retried unless an answer had begun.
    const boost::system::error_code broken = error::http2_protocol_error;
    BOOST_TEST((of_stream(h2_outcome::connection_error, true, broken) == verdict::retry));
    BOOST_TEST((of_stream(h2_outcome::connection_error, true, broken, true) == verdict::final));
}

BOOST_AUTO_TEST_CASE(what_counts_as_an_attempt) {
    outcome o;
    BOOST_TEST(o.counts_as_attempt());
    o.unsent = true;  // nothing written, but a final verdict (a new connection that spoke)
    BOOST_TEST(o.counts_as_attempt());
    for (const auto v : {verdict::replace, verdict::requeue_stale, verdict::requeue_refused}) {
        o.verdict = v;
        o.unsent = true;
        BOOST_TEST(!o.counts_as_attempt());  // refused before writing, or not taken up
        o.unsent = false;
        BOOST_TEST(o.counts_as_attempt());
    }
    o.verdict = verdict::replace;
    BOOST_TEST(o.stale());
    o.verdict = verdict::requeue_stale;
    BOOST_TEST(o.stale());
    o.verdict = verdict::requeue_refused;
    BOOST_TEST(!o.stale());
}

BOOST_AUTO_TEST_SUITE_END()
