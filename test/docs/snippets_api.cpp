// The C++ blocks of docs/api.md, in context so that they compile (target docs_snippets, never
// run): scripts/check-docs fails when a block of the page is not an excerpt of this file.
// The blocks keep the page's layout, hence clang-format off around each.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <string>

#include <stytch/stytch.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace docs_api {

std::string make_id() {
    return "organization-test-1";
}
std::string jwt() {
    return "a.session.jwt";
}
std::string load_token() {
    return "a-session-token";
}

// ## Completion tokens
asio::awaitable<void> in_a_coroutine(stytch::client& client, std::string id) {
    // clang-format off
    auto orgs = client.organizations();
    auto response = co_await orgs.async_delete_external_id({id});          // throws on failure
    auto result = co_await orgs.async_delete_external_id({id}, {}, stytch::as_result(asio::deferred));
    // clang-format on
}

// clang-format off
using strand = asio::strand<asio::io_context::executor_type>;
asio::awaitable<void, strand> work(stytch::b2b::organizations orgs, std::string id) {
    auto r = co_await orgs.async_delete_external_id({id}, {},
                                                    stytch::as_result(asio::use_awaitable_t<strand>{}));
    // or: stytch::as_result(asio::deferred), which fits any coroutine
}
// clang-format on

// ## Exceptions with the details
asio::awaitable<void> throw_with_details(stytch::b2b::organizations orgs, std::string id) {
    // clang-format off
    auto response = (co_await orgs.async_delete_external_id({id}, {}, stytch::as_result(asio::deferred))).value();
    // clang-format on
}

void throw_with_details_from_synchronous_code(stytch::b2b::organizations orgs, std::string id) {
    // clang-format off
    auto response = orgs.async_delete_external_id({id}, {}, stytch::as_result(asio::use_future)).get().value();
    // clang-format on
}

// ## Per-call timeout
asio::awaitable<void> per_call_timeout(stytch::b2b::organizations orgs, std::string id) {
    // clang-format off
    co_await orgs.async_delete_external_id({id}, {.timeout = std::chrono::milliseconds(250)});
    // clang-format on
}

// ## Arguments and lifetimes
asio::awaitable<void> temporaries(stytch::b2b::organizations orgs, std::string id,
                                  std::string token) {
    // clang-format off
    co_await orgs.async_delete_external_id({std::string(id)});
    co_await orgs.async_delete_external_id({id}, {.session_token = token}, asio::use_awaitable);
    co_await orgs.async_delete_external_id({.organization_id = make_id()},
                                           {.session_jwt = jwt(), .timeout = 5s}, stytch::as_result(asio::deferred));
    // clang-format on
}

stytch::b2b::delete_external_id_options named_options() {
    // clang-format off
    stytch::b2b::delete_external_id_options options;
    options.session_token = load_token();   // WRONG: a view of a string destroyed at the ';'
    const std::string token = load_token();
    options.session_token = token;          // right: the string outlives the call
    // clang-format on
    return {};  // not options: its view of token dangles once this returns
}

}  // namespace docs_api
