// What stytch-b2b prints when a call fails against a misbehaving server: the phase and
// host:port, the deadline that passed, the JSON path that did not decode, and --verbose's
// attempt lines.

#include <boost/json/serialize.hpp>

#include <regex>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/process.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

/// The server answers `first` once, then normally.
void answer_once(server_fixture& f, mock::reply first) {
    auto used = std::make_shared<std::atomic<bool>>(false);
    f.server.set_override([first, used](const mock::recorded_request&) {
        return used->exchange(true) ? std::nullopt : std::optional<mock::reply>(first);
    });
}

/// Runs the CLI against the fixture's server; stdout and stderr apart.
process_output run_cli(server_fixture& f, const std::string& arguments,
                       const std::string& timeout_ms = "3000") {
    const auto cfg = f.config();
    const std::string env = "STYTCH_PROJECT_ID=" + cfg.project_id + " STYTCH_SECRET=" + cfg.secret +
                            " STYTCH_CA_FILE='" + f.ca_file + "' STYTCH_BASE_URL=" + cfg.base_url +
                            " STYTCH_TIMEOUT_MS=" + timeout_ms + " ";
    return run_command(env + STYTCH_CLI + " " + arguments, true);
}

std::string host_port(const server_fixture& f) {
    return "127.0.0.1:" + std::to_string(f.server.port());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_messages)

BOOST_AUTO_TEST_CASE(a_stalled_tls_handshake_names_the_phase_and_the_deadline) {
    mock::server_options o;
    o.stall_tls_handshake = true;
    server_fixture f(o);
    auto p = run_cli(f, std::string("delete-external-id ") + first_org, "300");
    BOOST_TEST(p.status == 3, p.err);
    BOOST_TEST(p.out.empty());
    BOOST_TEST(p.err == "stytch-b2b: request failed: timed out during the TLS handshake with " +
                            host_port(f) + ": the deadline of 300 ms passed (STYTCH_TIMEOUT_MS)\n");
}

BOOST_AUTO_TEST_CASE(a_silent_server_names_the_wait_for_the_answer) {
    server_fixture f;
    mock::reply stall;
    stall.action = mock::reply::kind::stall;
    answer_once(f, stall);
    auto p = run_cli(f, std::string("delete-external-id ") + first_org, "300");
    BOOST_TEST(p.status == 3, p.err);
    BOOST_TEST(p.err == "stytch-b2b: request failed: timed out waiting for the answer of " +
                            host_port(f) + ": the deadline of 300 ms passed (STYTCH_TIMEOUT_MS)\n");
}

BOOST_AUTO_TEST_CASE(an_answer_that_does_not_decode_names_the_json_path) {
    server_fixture f;
    auto org = *f.server.find_organization(first_org);
    auto& roles = org["custom_roles"].as_array();
    BOOST_REQUIRE(roles.size() >= 2u);
    roles[1].as_object()["permissions"].as_array()[0].as_object().erase("resource_id");
    mock::reply bad;
    bad.body = boost::json::serialize(boost::json::object{
        {"request_id", "request-id-test-bad"}, {"status_code", 200}, {"organization", org}});
    answer_once(f, bad);
    auto p = run_cli(f, std::string("delete-external-id ") + first_org);
    BOOST_TEST(p.status == 3, p.err);
    BOOST_TEST(p.err.find("request failed: the answer of " + host_port(f) + " does not decode: ") !=
                   std::string::npos,
               p.err);
    BOOST_TEST(p.err.ends_with(" at organization.custom_roles[1].permissions[0].resource_id\n"),
               p.err);
}

BOOST_AUTO_TEST_CASE(verbose_prints_each_attempt_and_the_retry_reason) {
    server_fixture f;
    mock::reply unavailable;
    unavailable.status = 503;
    unavailable.body = error_body(503, "service_unavailable");
    answer_once(f, unavailable);
    auto p = run_cli(f, std::string("delete-external-id ") + first_org + " --verbose");
    BOOST_TEST(p.status == 0, p.err);
    const std::regex lines(
        "stytch-b2b: attempt 1: HTTP 503 in [0-9]+\\.[0-9] ms on a new connection: .*\\[stytch:"
        "[0-9]+\\]\n"
        "stytch-b2b: attempt 2 \\(retry after HTTP 503\\): HTTP 200 in [0-9]+\\.[0-9] ms on a "
        "reused connection\n");
    BOOST_TEST(std::regex_match(p.err, lines), p.err);
}

BOOST_AUTO_TEST_SUITE_END()
