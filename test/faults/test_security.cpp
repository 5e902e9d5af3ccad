// Fail closed: insecure URLs, header injection, path containment, bounded headers; and no
// credential in any message, detail, exception, hook argument or CLI output. (TLS verification:
// integration/test_tls.cpp; the body limit: test_faults.cpp.)

#include <boost/beast/http/error.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "codec/request_encoder.hpp"
#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/process.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(security)

BOOST_AUTO_TEST_CASE(plain_http_base_url_is_refused) {
    asio::io_context ioc;
    for (const char* url : {"http://127.0.0.1:1", "HTTP://api.stytch.com", "ws://x", "ftp://x"}) {
        client_config cfg;
        cfg.project_id = "project-test-x";
        cfg.secret = "s";
        cfg.base_url = url;
        BOOST_TEST(cfg.validate() == error::insecure_base_url, url);
        BOOST_CHECK_THROW(client(ioc.get_executor(), cfg), boost::system::system_error);
    }
}

// Every control character but HTAB (which is sent: conformance/test_request_hygiene.cpp).
BOOST_AUTO_TEST_CASE(control_characters_in_header_values_are_refused_before_any_io) {
    client_fixture f;
    auto& c = f.make_client();
    for (std::string bad :
         {std::string("tok\r\nX-Evil: 1"), std::string("tok\nx"), std::string("tok\rx"),
          std::string("tok\0x", 5), std::string("to\x01k"), std::string("tok\x7f"),
          std::string("\x1ftok"), std::string("tok\x1b[0m")}) {
        b2b::delete_external_id_options token;
        token.session_token = bad;
        b2b::delete_external_id_options jwt;
        jwt.session_jwt = bad;
        for (const auto* options : {&token, &jwt}) {
            const b2b::delete_external_id_request request{first_org};
            auto r = f.run(c.organizations().async_delete_external_id(
                request, *options, stytch::test::awaitable_result));
            BOOST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().code == error::invalid_header_value);
            BOOST_TEST(r.error().code == condition::invalid_request);
        }
    }
    BOOST_TEST(f.log.size() == 0u);
    BOOST_TEST(f.server.connections_accepted() == 0u);
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(organization_id_cannot_leave_its_path_segment) {
    client_fixture f;
    f.make_client();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"../../v1/admin", "..%2F..%2Fv1%2Fadmin"},
        {"a/b", "a%2Fb"},
        {"a?b=c", "a%3Fb%3Dc"},
        {"a#frag", "a%23frag"},
        {"100%", "100%25"},
        {"%2F", "%252F"},
        {"../x/y?z#%", "..%2Fx%2Fy%3Fz%23%25"},
        {"..", "%2E%2E"},  // RFC 3986 §5.2.4 removes `.` and `..` segments; encoded, they stay data
        {".", "%2E"},
        {"...", "..."},
        {"a.b", "a.b"},
        {"a b\tc", "a%20b%09c"},
        {"\xc3\xa9", "%C3%A9"},
    };
    for (const auto& [id, encoded] : cases) {
        f.server.clear_requests();
        auto r = f.run_call(id);
        BOOST_TEST(code_of(r) == error::organization_not_found, id);
        auto requests = f.server.requests();
        BOOST_REQUIRE(requests.size() == 1u);
        BOOST_TEST(requests[0].target == "/v1/b2b/organizations/" + encoded + "/external_id");
        BOOST_TEST(requests[0].method == "DELETE");
    }
}

BOOST_AUTO_TEST_CASE(header_count_and_size_are_bounded,
                     *http1_only("a raw HTTP/1.1 header section (over h2: the HPACK bomb fault)")) {
    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 10000; ++i) {
        many += "X-H" + std::to_string(i) + ": v\r\n";
    }
    many += "Content-Length: 2\r\n\r\n{}";
    std::string huge = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1024 * 1024, 'a') +
                       "\r\nContent-Length: 2\r\n\r\n{}";
    for (const std::string* raw : {&many, &huge}) {
        client_fixture f;
        inject(f.server, {.action = mock::reply::kind::raw, .close_after = true, .raw = *raw});
        f.make_client();
        auto r = f.run_call();
        BOOST_TEST(code_of(r) == http::error::header_limit, code_of(r).message());
        BOOST_TEST(f.log.size() == 1u);
        f.server.set_override({});
        BOOST_TEST(f.run_call().has_value());  // the client is fine afterwards
        BOOST_TEST(f.server.connections_accepted() == 2u);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

namespace {

const std::string canary_secret = "secret-test-CANARYSECRET-7f3a9c";
const std::string canary_token = "session-token-CANARYTOKEN-51e2";
const std::string canary_jwt =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUllKV1QifQ.CANARYJWTSIGNATURE-d41d";
const std::string project = "project-test-11111111-2222-3333-4444-555555555555";

/// Every text that must never carry a credential.
struct leak_check {
    std::vector<std::string> secrets;
    std::vector<std::string> seen;

    void add(const std::string& s) { seen.push_back(s); }
    void add(const boost::system::error_code& ec) {
        add(ec.message());
        add(ec.to_string());
        add(ec.what());
    }
    void add(const api_error& e) {
        add(boost::json::serialize(boost::json::value_from(e)));
        add(e.error_type + e.error_message + e.error_url + e.request_id);
    }
    void add(const attempt_info& i) {
        add(i.result);
        add(std::to_string(i.attempt) + " " + std::to_string(i.http_status) + " " + i.request_id);
    }
    void verify() const {
        BOOST_TEST(!seen.empty());
        for (const auto& text : seen) {
            for (const auto& s : secrets) {
                BOOST_TEST(text.find(s) == std::string::npos, "leak of '" << s << "' in: " << text);
            }
        }
    }
};

std::vector<std::string> all_secrets() {
    std::vector<std::string> s = {
        canary_secret,
        canary_token,
        canary_jwt,
        stytch::detail::base64_encode(project + ":" + canary_secret),
        stytch::detail::base64_encode(project + ":wrong-" + canary_secret),
        "CANARY"};
    return s;
}

/// A mock that takes `project` and the canary secret as its credentials.
mock::server_options canary_credentials() {
    mock::server_options so;
    so.project_id = project;
    so.secret = canary_secret;
    return so;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(no_credential_in_any_message_detail_or_hook_argument) {
    server_fixture f(canary_credentials());
    leak_check leaks{all_secrets(), {}};
    auto record = [&](const attempt_info& i) { leaks.add(i); };

    auto good = fast_config(f);
    good.secret = canary_secret;
    good.on_attempt = record;
    client c(f.ioc.get_executor(), good);
    b2b::delete_external_id_options with_token;
    with_token.session_token = canary_token;
    b2b::delete_external_id_options with_jwt;
    with_jwt.session_jwt = canary_jwt;
    const std::string injected = canary_token + "\r\nX-Injected: " + canary_secret;
    b2b::delete_external_id_options bad_token;
    bad_token.session_token = injected;  // a view: the string must outlive the options
    b2b::delete_external_id_options both;
    both.session_token = canary_token;
    both.session_jwt = canary_jwt;

    auto run_call = [&](client& cl, const std::string& id,
                        const b2b::delete_external_id_options& o) {
        const b2b::delete_external_id_request request{id};
        auto r = f.run(cl.organizations().async_delete_external_id(request, o,
                                                                   stytch::test::awaitable_result));
        if (!r.has_value()) {
            leaks.add(r.error().code);
            leaks.add(r.error().details);
        }
        return r;
    };
    BOOST_TEST(run_call(c, first_org, with_token).has_value());                  // success
    BOOST_TEST(!run_call(c, "organization-unknown-" + canary_token, with_jwt));  // API 404
    BOOST_TEST(!run_call(c, first_org, bad_token));                              // invalid header
    BOOST_TEST(!run_call(c, first_org, both));                                   // conflicting

    auto wrong = good;  // API 401
    wrong.secret = "wrong-" + canary_secret;
    client c401(f.ioc.get_executor(), wrong);
    auto r401 = run_call(c401, first_org, with_token);
    BOOST_TEST(code_of(r401) == error::unauthorized_credentials);

    auto refused = good;  // transport error
    refused.base_url = "https://127.0.0.1:" + std::to_string(closed_port());
    client cref(f.ioc.get_executor(), refused);
    BOOST_TEST(!run_call(cref, first_org, with_jwt));

    auto untrusted = good;  // TLS error
    untrusted.ca_file.clear();
    client ctls(f.ioc.get_executor(), untrusted);
    BOOST_TEST(!run_call(ctls, first_org, with_token));

    // Callback form with the details (as_result), failing with an API error; and the text of
    // the exception that carries them.
    std::optional<result<b2b::delete_external_id_response>> cb;
    c.organizations().async_delete_external_id(
        {"organization-unknown-" + canary_secret}, with_token,
        as_result([&](result<b2b::delete_external_id_response> r) { cb = std::move(r); }));
    f.run_until([&] { return cb.has_value(); });
    BOOST_REQUIRE(cb->has_error());
    BOOST_TEST(cb->error().code == error::organization_not_found);
    leaks.add(cb->error().code);
    leaks.add(cb->error().details);
    leaks.add(std::string(error_with_details(cb->error()).what()));

    // Construction failures: exception texts.
    for (auto mutate : std::vector<std::function<void(client_config&)>>{
             [](client_config& cfg) { cfg.secret = canary_secret + "\r\n"; },
             [](client_config& cfg) { cfg.base_url = "http://127.0.0.1:1"; },
             [](client_config& cfg) { cfg.base_url = "https://user:" + canary_secret + "@h"; },
             [](client_config& cfg) { cfg.ca_file = "/nonexistent/" + canary_secret; },
             [](client_config& cfg) { cfg.request_timeout = milliseconds(0); },
         }) {
        auto cfg = good;
        mutate(cfg);
        try {
            client bad(f.ioc.get_executor(), cfg);
            BOOST_ERROR("construction should have failed");
        } catch (const boost::system::system_error& e) {
            leaks.add(std::string(e.what()));
            leaks.add(e.code());
        }
    }
    BOOST_TEST(leaks.seen.size() > 20u);
    leaks.verify();
}

BOOST_AUTO_TEST_CASE(no_credential_in_cli_output) {
    server_fixture f(canary_credentials());
    leak_check leaks{all_secrets(), {}};
    const std::string other_ca = temp_path("stytch-other-ca");
    {
        std::ofstream out(other_ca);
        out << mock::make_tls_identity().ca_certificate_pem;
    }
    const std::string cli = STYTCH_CLI;
    const std::string env = "STYTCH_PROJECT_ID=" + project + " STYTCH_SECRET='" + canary_secret +
                            "' STYTCH_CA_FILE='" + f.ca_file + "' STYTCH_TIMEOUT_MS=3000 ";
    const std::string url = " STYTCH_BASE_URL=" + f.server.base_url() + " ";
    struct run_case {
        std::string command;
        int status;
    };
    const std::vector<run_case> cases = {
        {env + url + cli + " delete-external-id " + first_org + " --session-token " + canary_token,
         0},
        {env + url + cli + " delete-external-id org-unknown --session-jwt " + canary_jwt, 1},
        {"STYTCH_PROJECT_ID=" + project + " STYTCH_SECRET=wrong-" + canary_secret +
             " STYTCH_CA_FILE='" + f.ca_file + "'" + url + cli + " delete-external-id " + first_org,
         1},
        {env + " STYTCH_BASE_URL=https://127.0.0.1:" + std::to_string(closed_port()) + " " + cli +
             " delete-external-id " + first_org + " --session-token " + canary_token,
         3},
        {env + url + " STYTCH_CA_FILE=" + other_ca + " " + cli + " delete-external-id " +
             first_org + " --session-jwt " + canary_jwt,
         3},
        {env + " STYTCH_BASE_URL=http://127.0.0.1:1 " + cli + " delete-external-id " + first_org,
         2},
        {env + url + cli + " delete-external-id " + first_org + " --session-token ''", 2},
        {env + url + cli + " delete-external-id " + first_org + " --session-token " + canary_token +
             " --session-jwt " + canary_jwt,
         2},
    };
    for (const auto& k : cases) {
        for (const char* verbosity : {"", " --verbose"}) {  // each attempt on stderr
            auto p = run_command(k.command + verbosity);
            BOOST_TEST(p.status == k.status, k.command << verbosity << "\n" << p.out);
            leaks.add(p.out);
        }
    }
    // A header value with CR LF, through the environment of a shell.
    auto p = run_command(env + url + cli + " delete-external-id " + first_org +
                         " --session-token \"$(printf '" + canary_token + "\\r\\nX: y')\"");
    BOOST_TEST(p.status == 2, p.out);
    leaks.add(p.out);
    std::filesystem::remove(other_ca);
    leaks.verify();
}

BOOST_AUTO_TEST_SUITE_END()
