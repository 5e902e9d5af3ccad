// One call end to end: success, API errors, validation, and every completion-token form.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <thread>

#include <vector>
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(calls)

BOOST_AUTO_TEST_CASE(success_decodes_the_organization_and_sends_the_official_headers) {
    client_fixture f;
    f.make_client(f.config());
    auto r = f.run_call(first_org, {.session_token = "session-token-abc"});

    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->status_code == 200);
    BOOST_TEST(!r->request_id.empty());
    BOOST_TEST(r->organization.organization_id == first_org);
    BOOST_TEST(!r->organization.organization_external_id.has_value());
    auto stored = f.server.find_organization(first_org);
    BOOST_REQUIRE(stored.has_value());
    BOOST_TEST(r->organization.organization_name ==
               std::string_view(stored->at("organization_name").as_string()));

    auto requests = f.server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 1u);
    const auto& q = requests.front();
    BOOST_TEST(q.method == "DELETE");
    BOOST_TEST(q.target == std::string("/v1/b2b/organizations/") + first_org + "/external_id");
    BOOST_TEST(q.header("Authorization") ==
               "Basic " + std::string("cHJvamVjdC10ZXN0LTExMTExMTExLTIyMjItMzMzMy00NDQ0LTU1NTU1NTU1"
                                      "NTU1NTpzZWNyZXQtdGVzdC1tb2Nr"));
    BOOST_TEST(q.header("Content-Type") == "application/json");
    BOOST_TEST(q.header("User-Agent") == "Stytch C++ v" STYTCH_VERSION_STRING);
    BOOST_TEST(q.header("X-Stytch-Member-Session") == "session-token-abc");
    BOOST_TEST(q.header("X-Stytch-Member-SessionJWT") == "");
    BOOST_TEST(q.body.empty());
}

BOOST_AUTO_TEST_CASE(a_client_takes_an_io_context_or_a_thread_pool_as_asio_objects_do) {
    server_fixture f;
    client on_ioc(f.ioc, f.config());
    BOOST_TEST((on_ioc.get_executor() == client::executor_type(f.ioc.get_executor())));
    BOOST_TEST(call(f, on_ioc).has_value());

    asio::thread_pool pool(1);
    client on_pool(pool, f.config());
    BOOST_TEST((on_pool.get_executor() == client::executor_type(pool.get_executor())));
    const b2b::delete_external_id_request request{first_org};
    auto answer = on_pool.organizations().async_delete_external_id(request, {}, asio::use_future);
    BOOST_TEST(answer.get().organization.organization_id == first_org);
    on_pool.close();
    pool.join();
}

BOOST_AUTO_TEST_CASE(session_jwt_uses_its_own_header) {
    client_fixture f;
    f.make_client(f.config());
    auto r = f.run_call(first_org, {.session_jwt = "eyJ.jwt.sig"});
    BOOST_REQUIRE(r.has_value());
    auto q = f.server.requests().at(0);
    BOOST_TEST(q.header("X-Stytch-Member-SessionJWT") == "eyJ.jwt.sig");
    BOOST_TEST(q.header("X-Stytch-Member-Session") == "");
}

BOOST_AUTO_TEST_CASE(slug_and_path_prefix_reach_the_server) {
    mock::server_options o;
    o.path_prefix = "/stytch";
    client_fixture f(o);
    f.make_client(f.config(), [](client_config& cfg) {
        cfg.base_url += "/";  // trailing slash is normalised
    });
    auto stored = f.server.find_organization(first_org);
    std::string slug(stored->at("organization_slug").as_string());
    auto r = f.run_call(slug);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->organization.organization_id == first_org);
    BOOST_TEST(f.server.requests().at(0).target ==
               "/stytch/v1/b2b/organizations/" + slug + "/external_id");
}

BOOST_AUTO_TEST_CASE(unknown_organization_is_an_api_error_with_details) {
    client_fixture f;
    f.make_client(f.config());
    auto r = f.run_call("organization-test-missing");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::organization_not_found);
    BOOST_TEST(r.error().code == condition::api_error);
    BOOST_TEST(r.error().details.status_code == 404);
    BOOST_TEST(r.error().details.error_type == "organization_not_found");
    BOOST_TEST(!r.error().details.request_id.empty());
    BOOST_TEST(!r.error().details.error_message.empty());
}

BOOST_AUTO_TEST_CASE(wrong_secret_is_unauthorized_credentials) {
    client_fixture f;
    f.make_client(f.config(), [](client_config& cfg) { cfg.secret = "secret-test-wrong"; });
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::unauthorized_credentials);
    BOOST_TEST(r.error().details.status_code == 401);
}

BOOST_AUTO_TEST_CASE(non_json_error_keeps_the_http_status) {
    client_fixture f;
    inject(f.server, {.status = 502,
                      .body = "<html><body>Bad Gateway</body></html>",
                      .headers = {{"Content-Type", "text/html"}}});
    f.make_client(f.config());
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::server_error);
    BOOST_TEST(r.error().details.status_code == 502);
    BOOST_TEST(r.error().details.error_type.empty());
}

BOOST_AUTO_TEST_CASE(undecodable_success_body_is_a_decode_error) {
    client_fixture f;
    inject(
        f.server,
        {.body =
             R"({"request_id": "r", "status_code": 200, "organization": {"organization_id": 7}})"});
    f.make_client(f.config());
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == condition::decode_error);
    BOOST_TEST(r.error().details.decode_path == "organization.organization_id");
}

// A server that answers every call with another organization (issue 18): never delivered.
// Over HTTP/1.1 the connection is taken to be out of step: closed, and the call sent once more
// on a new one; over HTTP/2 no stream can be, so the call fails at once and the connection
// stays.
BOOST_AUTO_TEST_CASE(a_success_for_another_organization_is_never_delivered) {
    client_fixture f;
    inject(f.server, {.body = ok_body_for(f.server, second_org, "request-id-test-other")});
    auto& c = f.make_client(f.config());
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::answer_for_another_organization);
    BOOST_TEST(r.error().code == condition::protocol_error);
    BOOST_TEST(r.error().details.status_code == 200);
    BOOST_TEST(r.error().details.request_id == "request-id-test-other");
    const auto s = c.stats();
    BOOST_TEST(s.calls_failed.protocol_error == 1u);
    if (over_http2()) {
        BOOST_TEST(s.attempts == 1u);
        BOOST_TEST(s.connections_discarded.out_of_step == 0u);
        BOOST_TEST(s.retries.out_of_step == 0u);
        BOOST_TEST(s.connections_open == 1u);
    } else {
        BOOST_TEST(s.attempts == 2u);
        BOOST_TEST(s.connections_discarded.out_of_step == 2u);
        BOOST_TEST(s.retries.out_of_step == 1u);
        BOOST_TEST(s.connections_open == 0u);
    }
    // Named by its slug, an organization's own answer is taken.
    f.server.set_override({});
    auto own = f.run_call("globex");
    BOOST_TEST_REQUIRE(own.has_value(), own.error().code.message());
    BOOST_TEST(own->organization.organization_id == second_org);
}

BOOST_AUTO_TEST_CASE(a_success_carries_the_empty_error_code_not_a_stytch_code) {
    server_fixture f;
    auto cfg = f.config();
    std::vector<boost::system::error_code> attempts;
    cfg.on_attempt = [&](const attempt_info& info) { attempts.push_back(info.result); };
    client c(f.ioc.get_executor(), cfg);
    boost::system::error_code got = error::client_closed;
    c.organizations().async_delete_external_id(
        {first_org}, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response) {
            got = ec;
            c.close();
        });
    f.ioc.run();
    // `ec.message()` of a success must not read "unknown stytch error".
    BOOST_TEST((got == boost::system::error_code{}), got.category().name() << ":" << got.value());
    BOOST_TEST_REQUIRE(attempts.size() == 1u);
    BOOST_TEST((attempts[0] == boost::system::error_code{}));
}

BOOST_AUTO_TEST_CASE(invalid_requests_are_refused_before_any_io) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();

    auto empty = f.run(orgs.async_delete_external_id({""}, {}, stytch::test::awaitable_result));
    BOOST_TEST(empty.error().code == error::empty_organization_id);

    b2b::delete_external_id_options both;
    both.session_token = "a";
    both.session_jwt = "b";
    BOOST_TEST(
        f.run(orgs.async_delete_external_id({first_org}, both, stytch::test::awaitable_result))
            .error()
            .code == error::conflicting_authorization);

    b2b::delete_external_id_options injected;
    injected.session_token = "abc\r\nX-Evil: 1";
    BOOST_TEST(
        f.run(orgs.async_delete_external_id({first_org}, injected, stytch::test::awaitable_result))
            .error()
            .code == error::invalid_header_value);

    BOOST_TEST(f.server.connections_accepted() == 0u);
    BOOST_TEST(f.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(invalid_configuration_throws_with_a_clear_code) {
    asio::io_context ioc;
    client_config cfg;
    cfg.secret = "s";
    try {
        client c(ioc.get_executor(), cfg);
        BOOST_FAIL("expected an exception");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == error::missing_project_id);
    }
    cfg.project_id = "project-test-x";
    cfg.base_url = "http://127.0.0.1:1";
    BOOST_CHECK_EXCEPTION(client(ioc.get_executor(), cfg), boost::system::system_error,
                          [](const auto& e) { return e.code() == error::insecure_base_url; });
}

BOOST_AUTO_TEST_CASE(connection_refused_keeps_the_asio_code) {
    server_fixture f;
    auto cfg = f.config();
    cfg.base_url = "https://127.0.0.1:" + std::to_string(f.server.port());
    f.server.stop();
    client c(f.ioc.get_executor(), cfg);
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                              stytch::test::awaitable_result));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::connection_refused);
    BOOST_TEST(r.error().details.status_code == 0);
    // Nothing left pending (a stray connect watchdog would keep run() from returning).
    f.ioc.restart();
    f.ioc.poll();
    BOOST_TEST(f.ioc.stopped());
}

BOOST_AUTO_TEST_CASE(callback_form_reports_details_through_as_result) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    std::optional<result<b2b::delete_external_id_response>> got;
    int calls = 0;
    c.organizations().async_delete_external_id(
        {"organization-test-missing"}, {},
        as_result([&](result<b2b::delete_external_id_response> r) {
            got = std::move(r);
            ++calls;
        }));
    BOOST_TEST(calls == 0);  // never completes inside the initiating call
    f.run_until([&] { return calls == 1; });
    BOOST_TEST(calls == 1);
    BOOST_REQUIRE(got->has_error());
    BOOST_TEST(got->error().code == error::organization_not_found);
    BOOST_TEST(got->error().details.status_code == 404);
}

BOOST_AUTO_TEST_CASE(use_future_from_synchronous_code) {
    server_fixture f;
    f.run_beside([&] {
        client c(f.ioc.get_executor(), f.config());
        std::future<b2b::delete_external_id_response> fut =
            c.organizations().async_delete_external_id({first_org}, {}, asio::use_future);
        BOOST_TEST(fut.get().organization.organization_id == first_org);

        auto missing = c.organizations().async_delete_external_id({"nope"}, {}, asio::use_future);
        BOOST_CHECK_EXCEPTION(missing.get(), boost::system::system_error, [](const auto& e) {
            return e.code() == error::organization_not_found;
        });
    });
}

BOOST_AUTO_TEST_CASE(deferred_and_as_tuple_tokens) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto op = c.organizations().async_delete_external_id({first_org}, {}, asio::deferred);
    auto [ec, resp] =
        f.run([&]() -> asio::awaitable<
                        std::tuple<boost::system::error_code, b2b::delete_external_id_response>> {
            co_return co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
        }());
    BOOST_TEST(!ec);
    BOOST_TEST(resp.organization.organization_id == first_org);
}

BOOST_AUTO_TEST_SUITE_END()
