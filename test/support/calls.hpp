#pragma once

// One call, run to completion, and what it gave: a result (value or error code and api_error
// details), or for the callback form a completion record.

#include <boost/asio/cancellation_signal.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <stytch/stytch.hpp>

#include "support/server.hpp"

namespace stytch::test {

/// `f.config()` with quick retries (1-4 ms backoff), a 5 s deadline and a 2 s connect timeout.
client_config fast_config(const server_fixture& f);

/// One call for `organization_id` on `c`, run to completion on the fixture's io_context.
result<b2b::delete_external_id_response> call(server_fixture& f, client& c,
                                              const std::string& organization_id = first_org);

/// The error code of a failed result (or an empty code for a success).
template <class R>
boost::system::error_code code_of(const R& r) {
    return r.has_value() ? boost::system::error_code{} : r.error().code;
}

/// Requires that `r` failed and checks that its code is `expected` (an error code, enum or
/// condition), printing the code it got otherwise.
template <class R, class E>
void require_error(const R& r, const E& expected) {
    BOOST_TEST_REQUIRE(!r.has_value(), "the call succeeded");
    BOOST_TEST(r.error().code == expected, r.error().code.message());
}

/// The SSL category's "certificate verify failed", as a call reports an unverifiable server.
bool is_verification_failure(const boost::system::error_code& ec);

/// How a callback-form call completed, and how often.
struct completion {
    boost::system::error_code ec;
    int count = 0;
    std::string organization_id;  ///< of the response (empty on failure)
};

/// A handler that records into `c`.
inline auto record(completion& c) {
    return [&c](boost::system::error_code ec, b2b::delete_external_id_response r) {
        c.ec = ec;
        ++c.count;
        c.organization_id = std::move(r.organization.organization_id);
    };
}

/// Starts a callback-form call for first_org on `c` that `signal` cancels, recording into
/// `done`.
void start_cancellable(client& c, boost::asio::cancellation_signal& signal, completion& done);

/// Callback-form calls started together, each recording into its own completion.
struct call_batch {
    /// Starts `n` more calls for `organization_id` on `c`.
    void start(client& c, std::size_t n, const std::string& organization_id = first_org,
               const b2b::delete_external_id_options& options = {});
    /// Every call has completed.
    bool all_done() const;
    /// Every call has completed exactly once.
    bool all_completed_once() const;
    /// The calls that completed once, without error, with `organization_id`'s record.
    std::size_t succeeded(const std::string& organization_id = first_org) const;

    std::deque<completion> done;  // a deque: handlers keep their completion as more start
};

/// A body in Stytch's error shape.
std::string error_body(int status, const std::string& type);

/// Answers `status` (Stytch error shape, unknown type unless given) to the first `times`
/// requests, then normally.
void answer_status(server_fixture& f, int status, std::size_t times = SIZE_MAX,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string type = "injected_failure");

}  // namespace stytch::test
