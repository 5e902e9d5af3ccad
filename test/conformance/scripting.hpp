#pragma once

// Helpers of the conformance suite: scripted answers per request, rendered answers for a given
// organization, and the checks every "the next call is not affected" test makes.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/process.hpp"

namespace stytch::test {

using mock::script_step;
using step = mock::script_step::kind;

/// The request id of every answer a script sends that no call asked for.
inline constexpr const char* stale_request_id = "request-id-test-stale";

/// Request n (in order of arrival, from 0) is answered by `scripts[n]`; an empty script, or a
/// request beyond the list, gets the normal handling.
inline void script_requests(mock::server& server, std::vector<std::vector<script_step>> scripts) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    server.set_override([scripts = std::move(scripts),
                         next](const mock::recorded_request&) -> std::optional<mock::reply> {
        const std::size_t n = next->fetch_add(1);
        if (n >= scripts.size() || scripts[n].empty()) {
            return std::nullopt;
        }
        return mock::reply{.action = mock::reply::kind::script, .script = scripts[n]};
    });
}

/// The bytes of a complete keep-alive 200 for `organization_id`.
inline std::string ok_answer_for(const mock::server& server, const std::string& organization_id,
                                 const std::string& request_id = stale_request_id) {
    return mock::render(
        mock::reply{.status = 200, .body = ok_body_for(server, organization_id, request_id)});
}

/// What servers and load balancers send on an idle connection at their keep-alive timeout.
inline std::string request_timeout_408() {
    const std::string body = "<html><body><h1>408 Request Time-out</h1></body></html>\n";
    return "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/html\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

/// The call succeeded with its own organization and not with an answer no call asked for.
template <class R>
void check_own_answer(const R& r, const std::string& organization_id) {
    BOOST_TEST_REQUIRE(r.has_value(), "failed: " << r.error().code.message());
    BOOST_TEST(r->organization.organization_id == organization_id);
    BOOST_TEST(r->request_id != stale_request_id);
    BOOST_TEST(r->status_code == 200);
}

/// One clean attempt for a call: its last attempt is attempt 1 on a new connection and
/// succeeded; anything before it can only be the documented replacement of a stale pooled
/// connection (reused, failed, no answer), and no attempt saw an HTTP status other than 200.
inline void check_one_attempt_on_a_new_connection(const std::vector<attempt_log::entry>& entries) {
    BOOST_TEST_REQUIRE(!entries.empty());
    const auto& last = entries.back().info;
    BOOST_TEST(last.attempt == 1u);
    BOOST_TEST(!last.reused_connection);
    BOOST_TEST(!last.result.failed(), last.result.message());
    BOOST_TEST(last.http_status == 200);
    for (std::size_t i = 0; i + 1 < entries.size(); ++i) {
        const auto& stale = entries[i].info;
        BOOST_TEST(stale.reused_connection);
        BOOST_TEST(stale.result.failed());
        BOOST_TEST(stale.http_status == 0, "an attempt saw HTTP " << stale.http_status);
    }
}

/// The call for first_org fails with `expected` in one attempt (an answer began:
/// not retried), and its connection is discarded: the next call succeeds over a new one.
inline void refused_and_discarded(client_fixture& f, boost::system::error_code expected) {
    f.make_client();
    require_error(f.run_call(first_org), expected);
    BOOST_TEST(f.log.size() == 1u);
    check_own_answer(f.run_call(second_org), second_org);
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

}  // namespace stytch::test
