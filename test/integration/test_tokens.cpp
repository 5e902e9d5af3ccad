// The completion-token conventions: the default token, stytch::as_result over any token and
// from a coroutine on a strand, the exception that keeps the server's details, and the
// arguments a lazy token keeps.

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <string>
#include <thread>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using stytch::test::awaitable_result;
using stytch::test::client_fixture;
using stytch::test::first_org;
using stytch::test::server_fixture;
using response = b2b::delete_external_id_response;

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_AUTO_TEST_CASE(the_default_token_is_awaitable) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();
    auto r = f.run([&]() -> asio::awaitable<response> {
        co_return co_await orgs.async_delete_external_id({first_org});
    }());
    BOOST_TEST(r.organization.organization_id == first_org);
}

BOOST_AUTO_TEST_CASE(as_result_from_a_coroutine_on_a_strand) {
    using strand = asio::strand<asio::io_context::executor_type>;
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();
    std::optional<result<response>> found, missing;
    asio::co_spawn(
        asio::make_strand(f.ioc.get_executor()),
        [&]() -> asio::awaitable<void, strand> {
            found = co_await orgs.async_delete_external_id(
                {first_org}, {}, as_result(asio::use_awaitable_t<strand>{}));
            missing = co_await orgs.async_delete_external_id({"organization-test-missing"}, {},
                                                             as_result(asio::deferred));
        },
        asio::detached);
    f.run_until([&] { return missing.has_value(); });
    BOOST_REQUIRE(found.has_value());
    BOOST_REQUIRE(found->has_value());
    BOOST_TEST((*found)->organization.organization_id == first_org);
    BOOST_REQUIRE(missing.has_value());
    BOOST_REQUIRE(missing->has_error());
    BOOST_TEST(missing->error().code == error::organization_not_found);
    BOOST_TEST(missing->error().details.status_code == 404);
    BOOST_TEST(missing->error().details.error_type == "organization_not_found");
    BOOST_TEST(!missing->error().details.request_id.empty());
}

BOOST_AUTO_TEST_CASE(value_throws_the_details_through_use_future) {
    server_fixture f;
    f.run_beside([&] {
        client c(f.ioc.get_executor(), f.config());
        auto fut = c.organizations().async_delete_external_id({"organization-test-missing"}, {},
                                                              as_result(asio::use_future));
        result<response> r = fut.get();  // the result form never throws for a failed call
        BOOST_REQUIRE(r.has_error());
        try {
            r.value();
            BOOST_FAIL("value() did not throw");
        } catch (const error_with_details& e) {
            BOOST_TEST(e.code() == error::organization_not_found);
            BOOST_TEST(e.code() == condition::api_error);
            BOOST_TEST(e.details().status_code == 404);
            BOOST_TEST(e.details().error_type == "organization_not_found");
            BOOST_TEST(e.details().request_id == r.error().details.request_id);
            BOOST_TEST(!e.details().request_id.empty());
            const std::string what = e.what();
            BOOST_TEST(what.find(e.details().request_id) != std::string::npos);
            BOOST_TEST(what.find("organization_not_found (HTTP 404") == 0);
        }
        // Caught as what Asio's tokens throw, too.
        BOOST_CHECK_THROW(r.value(), boost::system::system_error);
    });
}

BOOST_AUTO_TEST_CASE(a_failure_without_an_answer_has_empty_details) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto r = f.run(c.organizations().async_delete_external_id({""}, {}, awaitable_result));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == error::empty_organization_id);
    BOOST_TEST((r.error().details == api_error{}));
    BOOST_CHECK_EXCEPTION(r.value(), error_with_details, [](const error_with_details& e) {
        return e.code() == error::empty_organization_id && std::string(e.what()) == e.code().what();
    });
}

BOOST_AUTO_TEST_CASE(as_result_keeps_the_handlers_cancellation_slot_and_executor) {
    client_fixture f;
    f.server.set_override([](const mock::recorded_request&) {
        return mock::reply{.action = mock::reply::kind::stall};
    });
    auto& c = f.make_client(f.config());
    auto handler_strand = asio::make_strand(f.ioc.get_executor());
    asio::cancellation_signal cancel;
    std::optional<result<response>> got;
    bool on_strand = false;
    c.organizations().async_delete_external_id(
        {first_org}, {},
        as_result(asio::bind_cancellation_slot(
            cancel.slot(), asio::bind_executor(handler_strand, [&](result<response> r) {
                on_strand = handler_strand.running_in_this_thread();
                got = std::move(r);
            }))));
    BOOST_REQUIRE(test::eventually([&] {
        f.ioc.poll();
        return f.server.requests_received() == 1;
    }));
    cancel.emit(asio::cancellation_type::terminal);
    f.run_until([&] { return got.has_value(); });
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST(got->error().code == asio::error::operation_aborted);
    BOOST_TEST(on_strand);
}

BOOST_AUTO_TEST_CASE(a_lazy_token_keeps_copies_of_the_arguments) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();
    auto make_op = [&] {
        std::string id = first_org;
        std::string token = "session-token-abc";
        return orgs.async_delete_external_id({id}, {.session_token = token}, asio::deferred);
    };
    auto op = make_op();          // the strings it viewed are gone
    std::string other(200, 'x');  // reuses their memory, at least under ASan's quarantine off
    auto r = f.run([&]() -> asio::awaitable<response> { co_return co_await std::move(op); }());
    BOOST_TEST(r.organization.organization_id == first_org);
    auto requests = f.server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 1u);
    BOOST_TEST(requests[0].target ==
               std::string("/v1/b2b/organizations/") + first_org + "/external_id");
    BOOST_TEST(requests[0].header("X-Stytch-Member-Session") == "session-token-abc");
}

BOOST_AUTO_TEST_SUITE_END()
