// What the client puts on the wire and what it makes of answers it cannot represent (issue 9,
// items 6, 7 and 9): control characters in credentials and the user agent, HTAB and obs-text in
// a session token, numbers beyond the range of a double, deep JSON. The CLI's stdout is always
// strict JSON (RFC 8259). Dot segments (item 4) and control characters in per-call header values
// (item 7) are tested in faults/test_security.cpp.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/json_text.hpp"
#include "support/process.hpp"
#include "support/tokens.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

/// Answers every request with `status` and `body`.
void answer_with(server_fixture& f, int status, std::string body) {
    inject(f.server, {.status = status, .body = std::move(body)});
}

/// A 200 answer for the first sample organization with `raw` (JSON text) as its
/// trusted_metadata.
std::string ok_body_with_metadata(server_fixture& f, std::string_view raw) {
    auto org = f.server.find_organization(first_org);
    BOOST_REQUIRE(org);
    boost::json::object body{{"request_id", "request-id-hygiene"}, {"status_code", 200}};
    body["organization"] = *org;
    body["organization"].as_object()["trusted_metadata"] = "@metadata@";
    std::string text = boost::json::serialize(body);
    const std::string placeholder = "\"@metadata@\"";
    text.replace(text.find(placeholder), placeholder.size(), raw);
    return text;
}

/// Runs the CLI against the fixture's server for `organization_id`.
process_output run_cli(const server_fixture& f, const std::string& organization_id) {
    return run_command(
        "STYTCH_PROJECT_ID=project-test-cli STYTCH_SECRET=secret-test-cli "
        "STYTCH_CA_FILE='" +
            f.ca_file + "' STYTCH_BASE_URL=" + f.server.base_url() + " STYTCH_TIMEOUT_MS=5000 " +
            STYTCH_CLI + " delete-external-id '" + organization_id + "'",
        true);
}

/// Parses the CLI's stdout as strict JSON (no depth limit of its own to speak of).
boost::json::value parse_stdout(const process_output& p) {
    boost::json::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 10000;
    auto v = boost::json::parse(p.out, ec, {}, options);
    BOOST_TEST_REQUIRE(!ec, "stdout is not JSON: " << p.out);
    return v;
}

/// A 200 whose trusted_metadata is `raw` fails the call with `expected`, a decode error, and
/// the CLI with exit 3, nothing on stdout and `message` on stderr.
void metadata_fails_the_decode_and_the_cli(std::string_view raw, error expected,
                                           const std::string& message) {
    client_fixture f;
    answer_with(f, 200, ok_body_with_metadata(f, raw));
    f.make_client();
    auto r = f.run_call();
    BOOST_TEST(code_of(r) == expected);
    BOOST_TEST(code_of(r) == condition::decode_error);

    const auto p = run_cli(f, first_org);
    BOOST_TEST(p.status == 3, p.out << p.err);
    BOOST_TEST(p.out.empty(), p.out);
    BOOST_TEST(p.err.find(message) != std::string::npos, p.err);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_hygiene)

// Item 7, configuration side: credentials and user agent are checked by validate(), so no
// client (and no connection) exists with such a value.
BOOST_AUTO_TEST_CASE(control_characters_in_credentials_or_user_agent_refuse_the_client) {
    server_fixture f;
    for (int field = 0; field < 3; ++field) {
        auto cfg = fast_config(f);
        std::string& value = field == 0 ? cfg.project_id : field == 1 ? cfg.secret : cfg.user_agent;
        value += "\x7f";
        BOOST_TEST((cfg.validate() == error::invalid_header_value));
        BOOST_CHECK_EXCEPTION(
            client(f.ioc.get_executor(), cfg), boost::system::system_error,
            [](const auto& e) { return e.code() == error::invalid_header_value; });
    }
    BOOST_TEST(f.server.connections_accepted() == 0u);
}

// HTAB and bytes >= 0x80 are field content (RFC 9110 §5.5) and go out as they are.
BOOST_AUTO_TEST_CASE(htab_and_obs_text_in_a_session_token_are_sent) {
    client_fixture f;
    f.make_client();
    b2b::delete_external_id_options options;
    options.session_token = "tok\ten\xc3\xa9";
    f.run_call(first_org, options);
    const auto requests = f.server.requests();
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].header("X-Stytch-Member-Session") == "tok\ten\xc3\xa9");
}

// Item 6: 1e400 is not a double. A 2xx answer holding it fails as a decode error, and the CLI
// prints nothing on stdout (exit 3) rather than a non-JSON `Infinity`.
BOOST_AUTO_TEST_CASE(non_finite_number_in_a_2xx_answer_fails_the_decode_and_the_cli) {
    metadata_fails_the_decode_and_the_cli(R"({"plan":{"seats":1e400}})", error::non_finite_number,
                                          "out of the range of a double");
}

// Item 6, error answers: error_details holding 1e400 are dropped (null); the API error stays,
// and the CLI's stdout parses as JSON.
BOOST_AUTO_TEST_CASE(non_finite_number_in_error_details_gives_strict_json_on_stdout) {
    server_fixture f;
    answer_with(f, 400,
                R"({"status_code":400,"request_id":"request-id-inf","error_type":"bad_request",)"
                R"("error_message":"m","error_url":"u","error_details":{"seats":1e400}})");
    const auto p = run_cli(f, first_org);
    BOOST_TEST(p.status == 1, p.out << p.err);
    const auto v = parse_stdout(p);
    BOOST_TEST(v.at("request_id").as_string() == "request-id-inf");
    BOOST_TEST(v.at("error_type").as_string() == "bad_request");
    BOOST_TEST(v.at("error_details").is_null());
    BOOST_TEST(p.out.find("Infinity") == std::string::npos);
}

// Item 9: Boost.JSON's own default (32 for the whole document) refused a trusted_metadata 31
// deep; 64 levels inside the free-form member are accepted by default, through the CLI too.
BOOST_AUTO_TEST_CASE(trusted_metadata_64_deep_is_accepted_by_default) {
    client_fixture f;
    answer_with(f, 200, ok_body_with_metadata(f, nested_objects(64)));
    f.make_client();
    auto r = f.run_call();
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->organization.trusted_metadata.has_value());

    const auto p = run_cli(f, first_org);
    BOOST_TEST(p.status == 0, p.err);
    const auto v = parse_stdout(p);
    std::size_t depth = 0;
    for (const auto* level = &v.at("organization").at("trusted_metadata"); level->is_object();
         level = &level->at("a")) {
        ++depth;
    }
    BOOST_TEST(depth == 64u);
}

// Item 9: one level more is json_too_deep, its own error, not "not a JSON object".
BOOST_AUTO_TEST_CASE(trusted_metadata_deeper_than_the_limit_is_json_too_deep) {
    metadata_fails_the_decode_and_the_cli(nested_objects(65), error::json_too_deep,
                                          "deeper than the configured limit");
}

// Item 9: the limit is client_config::max_json_depth, as configured.
BOOST_AUTO_TEST_CASE(the_configured_depth_limit_is_the_one_applied) {
    server_fixture f;
    answer_with(f, 200, ok_body_with_metadata(f, nested_objects(9)));
    auto cfg = fast_config(f);
    cfg.max_json_depth = 8;
    client shallow(f.ioc.get_executor(), cfg);
    BOOST_TEST(code_of(call(f, shallow)) == error::json_too_deep);
    cfg.max_json_depth = 9;
    client exact(f.ioc.get_executor(), cfg);
    BOOST_TEST(code_of(call(f, exact)) == boost::system::error_code{});
}

// Item 9, error answers: deep error_details within the limit are kept; past it the body is read
// like a non-JSON one (the status decides the code, only status_code is filled).
BOOST_AUTO_TEST_CASE(deep_error_details_are_kept_up_to_the_limit) {
    client_fixture f;
    const auto error_body = [](std::size_t depth) {
        return R"({"status_code":404,"request_id":"request-id-deep","error_type":)"
               R"("organization_not_found","error_details":)" +
               nested_objects(depth) + "}";
    };
    f.make_client();

    answer_with(f, 404, error_body(64));
    auto r = f.run_call();
    BOOST_TEST(code_of(r) == error::organization_not_found);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().details.request_id == "request-id-deep");
    BOOST_TEST(r.error().details.error_details.is_object());

    answer_with(f, 404, error_body(65));
    r = f.run_call();
    BOOST_TEST(code_of(r) == error::client_error);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().details.status_code == 404);
    BOOST_TEST(r.error().details.request_id.empty());
    BOOST_TEST(r.error().details.error_details.is_null());

    const auto p = run_cli(f, first_org);
    BOOST_TEST(p.status == 1, p.out << p.err);
    BOOST_TEST(parse_stdout(p).at("status_code").as_int64() == 404);
}

BOOST_AUTO_TEST_SUITE_END()
