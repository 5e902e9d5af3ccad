// Every natural way to write a call inside co_await, in a loop. Built with AddressSanitizer
// under g++ (see CMakeLists.txt): g++ 12 destroys a temporary aggregate that has a destructor
// twice when it lives across a co_await, so a request or options type holding a std::string turns
// `co_await orgs.async_delete_external_id({std::string(id)})` into a double free. The request
// and options are views, trivially destructible, so the caller's temporaries here are only
// std::strings converted to views, which g++ 12 destroys once.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using stytch::test::awaitable_result;
using stytch::test::client_fixture;
using stytch::test::first_org;

namespace {

std::string id_of(const std::string& s) {
    return s;  // a fresh std::string temporary at every call site
}

// Each round makes every spelling once; returns how many calls succeeded.
asio::awaitable<int> every_spelling(b2b::organizations orgs, int rounds) {
    const std::string id = first_org;
    const std::string token = "session-token-abc";
    int ok = 0;
    for (int i = 0; i < rounds; ++i) {
        // Default token (deferred), a temporary std::string in a braced request.
        auto r1 = co_await orgs.async_delete_external_id({std::string(id)});
        ok += r1.organization.organization_id == id;

        // Named request type, concatenation, options written in place.
        auto r2 = co_await orgs.async_delete_external_id(
            b2b::delete_external_id_request{id.substr(0, 8) + id.substr(8)},
            {.session_token = std::string(token)}, asio::use_awaitable);
        ok += r2.organization.organization_id == id;

        // Designated initializers, function results, the result form, a per-call timeout.
        auto r3 = co_await orgs.async_delete_external_id(
            {.organization_id = id_of(id)},
            {.session_jwt = id_of(token), .timeout = std::chrono::seconds(10)}, awaitable_result);
        ok += r3.has_value();

        // as_tuple and as_result over deferred.
        auto [ec, r4] = co_await orgs.async_delete_external_id(
            {id_of(id)}, {.session_token = id_of(token)}, asio::as_tuple(asio::deferred));
        ok += !ec;
        auto r5 = co_await orgs.async_delete_external_id({std::string(id)}, {},
                                                         stytch::as_result(asio::deferred));
        ok += r5.has_value();
    }
    co_return ok;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_natural_spelling_inside_co_await_in_a_loop) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    constexpr int rounds = 20;
    BOOST_TEST(f.run(every_spelling(c.organizations(), rounds)) == 5 * rounds);
    BOOST_TEST(f.server.requests_received() == 5u * rounds);
}
