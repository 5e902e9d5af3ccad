// The mock's normal handling of its one endpoint: the seed, the answer to a DELETE and what it
// does to the store, the keys an organization is found by, credentials, errors and prefixes.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"
#include "mock/support.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "support/organization_fields.hpp"

namespace http = boost::beast::http;
namespace json = boost::json;
using namespace stytch::mock;
using namespace stytch::mock::testing;

BOOST_AUTO_TEST_SUITE(normal_handling)

BOOST_AUTO_TEST_CASE(seed_file_has_three_complete_organizations) {
    auto srv = seeded_server();
    std::vector<std::string> fields = stytch::test::required_org_fields;
    fields.insert(fields.end(), stytch::test::optional_org_fields.begin(),
                  stytch::test::optional_org_fields.end());
    for (const char* key : {"acme-corp", "globex", "initech"}) {
        const auto org = srv->find_organization(key);
        BOOST_TEST_REQUIRE(org.has_value(), key);
        for (const auto& field : fields) {
            BOOST_TEST_CONTEXT(key << "." << field) {
                BOOST_TEST_REQUIRE(org->contains(field));
                BOOST_TEST(!org->at(field).is_null());
            }
        }
        BOOST_TEST(org->at("trusted_metadata").is_object());
        BOOST_TEST(org->at("allowed_oauth_tenants").is_object());
        BOOST_TEST(org->at("scim_active_connection").is_object());
    }
    const auto acme = srv->find_organization(acme_id);
    BOOST_TEST_REQUIRE(acme.has_value());
    BOOST_TEST(acme->at("sso_active_connections").as_array().size() >= 1u);
    const auto& role = acme->at("custom_roles").as_array().at(0).as_object();
    BOOST_TEST(!role.at("permissions").as_array().at(0).at("actions").as_array().empty());
    BOOST_TEST(acme->at("organization_external_id").as_string() == acme_external_id);
}

BOOST_AUTO_TEST_CASE(delete_external_id_success) {
    auto srv = seeded_server();
    const auto before = srv->find_organization(acme_id);
    BOOST_TEST_REQUIRE(before.has_value());
    BOOST_TEST(srv->find_organization(acme_external_id).has_value());
    BOOST_TEST(srv->find_organization(acme_slug)->at("organization_id").as_string() == acme_id);

    connected_client client(*srv);
    const auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res[http::field::content_length] == std::to_string(res.body().size()));
    BOOST_TEST(res.keep_alive());

    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("status_code").as_int64() == 200);
    const std::string first_request_id(body.at("request_id").as_string());
    BOOST_TEST(first_request_id.starts_with("request-id-test-"));

    // As the real API: the organization has no organization_external_id member any more, in
    // the answer and in the store alike (not null, not ""), and nothing else changed.
    BOOST_TEST_REQUIRE(before->at("organization_external_id").is_string());
    json::object expected = *before;
    expected.erase("organization_external_id");
    BOOST_TEST(!body.at("organization").as_object().contains("organization_external_id"));
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
    BOOST_TEST(body.at("organization").as_object() == expected);
    BOOST_TEST(*srv->find_organization(acme_id) == expected);
    BOOST_TEST(!srv->find_organization(acme_external_id).has_value());

    // It stays deleted; a second call succeeds again, with a new request id.
    const auto again = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(again.result_int() == 200u);
    const json::object again_body = parse_object(again.body());
    BOOST_TEST(again_body.at("organization").as_object() == expected);
    BOOST_TEST(again_body.at("request_id").as_string() != first_request_id);

    // The other organizations are untouched.
    BOOST_TEST(srv->find_organization("globex")->at("organization_external_id").as_string() ==
               "globex-42");
}

BOOST_AUTO_TEST_CASE(path_accepts_slug_and_external_id) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto res = client.exchange(delete_request({}, api_target("globex-42")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(parse_object(res.body()).at("organization").at("organization_slug").as_string() ==
               "globex");
    res = client.exchange(delete_request({}, api_target("initech")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(!srv->find_organization("initech")->contains("organization_external_id"));
}

BOOST_AUTO_TEST_CASE(id_is_percent_decoded) {
    server srv;
    srv.add_organization(
        json::object{{"organization_id", "org/with space%"}, {"organization_external_id", "ext"}},
        server::seed_check::id_only);
    connected_client client(srv);
    auto res = client.exchange(delete_request({}, api_target("org%2Fwith%20space%25")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(parse_object(res.body()).at("organization").at("organization_id").as_string() ==
               "org/with space%");
    res = client.exchange(delete_request({}, api_target("org%zz")));
    check_stytch_error(res, 400, "bad_request");
}

BOOST_AUTO_TEST_CASE(unauthorized) {
    auto srv = seeded_server();
    connected_client client(*srv);

    auto req = delete_request({}, api_target(acme_id));
    req.erase(http::field::authorization);
    auto res = client.exchange(req);
    check_stytch_error(res, 401, "unauthorized_credentials");
    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("error_message").as_string() == "Unauthorized credentials.");
    BOOST_TEST(body.at("error_url").as_string() ==
               "https://stytch.com/docs/api/errors/401#unauthorized_credentials");

    const server_options defaults;
    for (const std::string& authorization :
         {basic_auth(defaults.project_id, "wrong-secret"),
          basic_auth("project-test-x", defaults.secret),
          "Bearer " + base64(defaults.project_id + ":" + defaults.secret), std::string("Basic !!!"),
          std::string("Basic")}) {
        BOOST_TEST_CONTEXT(authorization) {
            req.set(http::field::authorization, authorization);
            check_stytch_error(client.exchange(req), 401, "unauthorized_credentials");
        }
    }
    // Lowercase scheme is fine.
    req.set(http::field::authorization,
            "basic " + base64(defaults.project_id + ":" + defaults.secret));
    BOOST_TEST(client.exchange(req).result_int() == 200u);

    // The organization was not modified by the rejected calls... but by the last one.
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
}

BOOST_AUTO_TEST_CASE(custom_credentials) {
    server_options opts;
    opts.project_id = "project-live-abc";
    opts.secret = "secret-live-xyz";
    server srv(opts);
    srv.add_organization(json::object{{"organization_id", "o1"}}, server::seed_check::id_only);
    connected_client client(srv);
    BOOST_TEST(client.exchange(delete_request(opts, api_target("o1"))).result_int() == 200u);
    check_stytch_error(client.exchange(delete_request({}, api_target("o1"))), 401,
                       "unauthorized_credentials");
}

BOOST_AUTO_TEST_CASE(not_found_and_wrong_method) {
    auto srv = seeded_server();
    connected_client client(*srv);

    check_stytch_error(client.exchange(delete_request({}, api_target("organization-test-nope"))),
                       404, "organization_not_found");
    for (const char* target :
         {"/", "/v1/b2b/organizations", "/v1/b2b/organizations//external_id",
          "/v1/b2b/organizations/acme-corp", "/v1/b2b/organizations/acme-corp/external_id/x",
          "/v1/b2b/organizations/a/b/external_id", "/v2/b2b/organizations/acme-corp/external_id"}) {
        BOOST_TEST_CONTEXT(target) {
            check_stytch_error(client.exchange(delete_request({}, target)), 404, "route_not_found");
        }
    }
    auto get = delete_request({}, api_target(acme_id));
    get.method(http::verb::get);
    const auto res = client.exchange(get);
    check_stytch_error(res, 405, "method_not_allowed");
    BOOST_TEST(res[http::field::allow] == "DELETE");
    // A query string is ignored.
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id) + "?x=1")).result_int() ==
               200u);
    // Everything on one keep-alive connection.
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(path_prefix) {
    server_options opts;
    opts.path_prefix = "stytch/";
    auto srv = seeded_server(opts);
    BOOST_TEST(srv->base_url() == "https://127.0.0.1:" + std::to_string(srv->port()) + "/stytch");
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id, "/stytch"))).result_int() ==
               200u);
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id))), 404,
                       "route_not_found");
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id, "/stytchx"))), 404,
                       "route_not_found");
}

BOOST_AUTO_TEST_CASE(base_url_and_port) {
    server srv;
    BOOST_TEST(srv.port() != 0u);
    BOOST_TEST(srv.base_url() == "https://127.0.0.1:" + std::to_string(srv.port()));
}

BOOST_AUTO_TEST_SUITE_END()
