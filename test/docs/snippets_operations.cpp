// The C++ blocks of docs/operations.md, in context so that they compile (target docs_snippets,
// never run): scripts/check-docs fails when a block of the page is not an excerpt of this file.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>

#include <iostream>
#include <string>
#include <string_view>

#include <stytch/stytch.hpp>

namespace docs_operations {

void log(std::string_view request_id, std::string_view error_type) {
    std::clog << request_id << ": " << error_type << '\n';
}

// ## Error handling recipes
boost::asio::awaitable<void> recipes(stytch::client& client, std::string id,
                                     stytch::b2b::delete_external_id_options opts) {
    namespace asio = boost::asio;
    // clang-format off
    auto r = co_await client.organizations().async_delete_external_id({id}, opts, stytch::as_result(asio::deferred));
    if (r) { /* done */ }
    else if (r.error().code == stytch::error::organization_not_found) { /* nothing to delete */ }
    else if (r.error().code == stytch::error::unauthorized_credentials) { /* fix the secret: do not retry */ }
    else if (r.error().code == stytch::condition::api_error) {
        log(r.error().details.request_id, r.error().details.error_type);  // quote request_id to Stytch
    }
    else if (r.error().code == stytch::condition::invalid_request) { /* a bug in the caller */ }
    else if (r.error().code == boost::asio::error::timed_out) { /* the deadline passed; retried already */ }
    else if (r.error().code == boost::asio::error::operation_aborted) { /* you cancelled it */ }
    else { /* transport or TLS: r.error().code.message() */ }
    // clang-format on
}

}  // namespace docs_operations
