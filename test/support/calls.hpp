#pragma once

// One call, run to completion, and what it gave: a result (value or error code and api_error
// details), or for the callback form a completion record.

#include <boost/system/error_code.hpp>

#include <cstdint>
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

/// The SSL category's "certificate verify failed", as a call reports an unverifiable server.
bool is_verification_failure(const boost::system::error_code& ec);

/// How a callback-form call completed, and how often.
struct completion {
    boost::system::error_code ec;
    int count = 0;
};

/// A handler that records into `c`.
inline auto record(completion& c) {
    return [&c](boost::system::error_code ec, b2b::delete_external_id_response) {
        c.ec = ec;
        ++c.count;
    };
}

/// A body in Stytch's error shape.
std::string error_body(int status, const std::string& type);

/// Answers `status` (Stytch error shape, unknown type unless given) to the first `times`
/// requests, then normally.
void answer_status(server_fixture& f, int status, std::size_t times = SIZE_MAX,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string type = "injected_failure");

}  // namespace stytch::test
