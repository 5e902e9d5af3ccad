// What the mock keeps and loads: the recorded requests, organizations from files or added one
// by one (with the complete seed check), its CA file, and a given TLS identity.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/certificates.hpp>
#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"
#include "mock/support.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace stytch::mock;
using namespace stytch::mock::testing;

namespace {

std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("stytch-mock-test-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recording)

BOOST_AUTO_TEST_CASE(requests_are_recorded_with_headers) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Stytch-Member-Session", "session-token-abc");
    req.body() = "{}";
    req.prepare_payload();
    BOOST_TEST(client.exchange(req).result_int() == 200u);
    auto req2 = delete_request({}, api_target("globex") + "?q=%20");
    req2.set("X-Stytch-Member-SessionJWT", "eyJ.x.y");
    BOOST_TEST(client.exchange(req2).result_int() == 200u);

    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 2u);
    const auto& first = requests[0];
    BOOST_TEST(first.method == "DELETE");
    BOOST_TEST(first.target == api_target(acme_id));
    BOOST_TEST(first.body == "{}");
    BOOST_TEST(first.header("x-stytch-member-session") == "session-token-abc");
    BOOST_TEST(first.header("X-STYTCH-MEMBER-SESSION") == "session-token-abc");
    BOOST_TEST(first.header("authorization") ==
               basic_auth(server_options{}.project_id, server_options{}.secret));
    BOOST_TEST(first.header("Content-Type") == "application/json");
    BOOST_TEST(first.header("User-Agent") == "stytch-mock-test");
    BOOST_TEST(first.header("Host") == "127.0.0.1");
    BOOST_TEST(first.header("X-Absent") == "");
    BOOST_TEST(first.header("X-Stytch-Member-SessionJWT") == "");
    // Headers in order, names as sent.
    BOOST_TEST_REQUIRE(!first.headers.empty());
    BOOST_TEST(first.headers[0].first == "Host");

    BOOST_TEST(requests[1].target == api_target("globex") + "?q=%20");
    BOOST_TEST(requests[1].header("x-stytch-member-sessionjwt") == "eyJ.x.y");
    BOOST_TEST(requests[1].connection_id == first.connection_id);

    srv->clear_requests();
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(load_and_add_organizations) {
    server srv;
    const auto array_file = temp_file("array.json");
    {
        std::ofstream out(array_file);
        out << R"([{"organization_id":"o-1","organization_slug":"one"},
                   {"organization_id":"o-2","organization_external_id":"ext-2"}])";
    }
    srv.load_organizations(array_file.string());
    BOOST_TEST(srv.find_organization("o-1").has_value());
    BOOST_TEST(srv.find_organization("one").has_value());
    BOOST_TEST(srv.find_organization("ext-2")->at("organization_id").as_string() == "o-2");
    BOOST_TEST(!srv.find_organization("o-3").has_value());

    // Replacing by id.
    srv.add_organization(json::object{{"organization_id", "o-1"}, {"organization_slug", "uno"}},
                         server::seed_check::id_only);
    BOOST_TEST(!srv.find_organization("one").has_value());
    BOOST_TEST(srv.find_organization("uno").has_value());

    BOOST_CHECK_THROW(srv.add_organization(json::object{{"organization_slug", "x"}}),
                      std::invalid_argument);
    BOOST_CHECK_THROW(srv.add_organization(json::object{{"organization_id", 5}}),
                      std::invalid_argument);

    const auto bad_file = temp_file("bad.json");
    for (const char* text : {"{not json", R"({"orgs":[]})", R"([1])", R"([{"x":1}])"}) {
        BOOST_TEST_CONTEXT(text) {
            {
                std::ofstream out(bad_file);
                out << text;
            }
            BOOST_CHECK_THROW(srv.load_organizations(bad_file.string()), std::runtime_error);
        }
    }
    BOOST_CHECK_THROW(srv.load_organizations(temp_file("missing.json").string()),
                      std::runtime_error);
    std::filesystem::remove(array_file);
    std::filesystem::remove(bad_file);
}

BOOST_AUTO_TEST_CASE(a_complete_seed_check_names_the_first_incomplete_member) {
    const json::value sample = json::parse([] {
        std::ifstream in(STYTCH_MOCK_SAMPLE_SEED);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }());
    const json::array& orgs = sample.at("organizations").as_array();
    BOOST_TEST_REQUIRE(orgs.size() >= 2u);
    struct seed_case {
        std::size_t org;                           // which organization is spoiled
        std::function<void(json::object&)> spoil;  // how
        std::string reason;                        // what the error names
    };
    const std::vector<seed_case> cases = {
        {0, [](json::object& o) { o.erase("organization_name"); },
         "organizations[0]: organization_name is missing"},
        {1, [](json::object& o) { o["mfa_policy"] = nullptr; },
         "organizations[1]: mfa_policy is missing"},
        {1, [](json::object& o) { o["email_allowed_domains"] = "a.example.com"; },
         "organizations[1]: email_allowed_domains is not an array"},
        {0,
         [](json::object& o) {
             o["custom_roles"]
                 .as_array()[1]
                 .as_object()["permissions"]
                 .as_array()[0]
                 .as_object()
                 .erase("resource_id");
         },
         "organizations[0]: custom_roles[1].permissions[0].resource_id is missing"},
        {0, [](json::object& o) { o["allowed_auth_methods"].as_array().push_back(7); },
         "organizations[0]: allowed_auth_methods[3] is not a string"},
        {0,
         [](json::object& o) {
             o["scim_active_connection"] = json::object{{"display_name", "x"}};
         },
         "organizations[0]: scim_active_connection.connection_id is missing"},
    };
    const auto file = temp_file("incomplete.json");
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.reason) {
            json::array spoiled = orgs;
            c.spoil(spoiled[c.org].as_object());
            {
                std::ofstream out(file);
                out << json::serialize(spoiled);
            }
            server srv;
            try {
                srv.load_organizations(file.string(), server::seed_check::complete);
                BOOST_ERROR("accepted");
            } catch (const std::runtime_error& e) {
                BOOST_TEST(std::string(e.what()).ends_with(c.reason), e.what());
            }
            // All or none: the complete organizations before it were not added either.
            BOOST_TEST(
                !srv.find_organization(orgs[0].at("organization_id").as_string()).has_value());
            // The default check serves it anyway (tests may want a partial answer).
            srv.load_organizations(file.string());
            BOOST_TEST(
                srv.find_organization(orgs[c.org].at("organization_id").as_string()).has_value());
        }
    }
    std::filesystem::remove(file);
}

BOOST_AUTO_TEST_CASE(write_ca_file) {
    server srv;
    const auto path = temp_file("ca.pem");
    srv.write_ca_file(path.string());
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    BOOST_TEST(text.str() == srv.identity().ca_certificate_pem);
    std::filesystem::remove(path);
    BOOST_CHECK_THROW(srv.write_ca_file("/nonexistent-dir/ca.pem"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(given_identity_is_used) {
    stytch::mock::certificate_options names;
    names.dns_names = {"mock.internal"};
    names.ip_addresses = {};
    const auto identity = stytch::mock::make_tls_identity(names);
    server_options opts;
    opts.identity = identity;
    server srv(opts);
    BOOST_TEST(srv.identity().certificate_pem == identity.certificate_pem);
    // The client checks for 127.0.0.1, which this certificate does not name.
    tls_client client(srv);
    BOOST_TEST(client.connect().failed());

    server_options broken;
    broken.identity = stytch::mock::tls_identity{"", "not a pem", "not a pem"};
    BOOST_CHECK_THROW(server{broken}, std::runtime_error);
    broken.identity = stytch::mock::tls_identity{"", identity.certificate_pem,
                                                 stytch::mock::make_tls_identity().private_key_pem};
    BOOST_CHECK_THROW(server{broken}, std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
