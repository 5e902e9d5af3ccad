// Issue 18, item 2: a stray 200 that reaches a keep-alive connection after the next request
// was written is, by HTTP/1.1's framing, that request's answer (Go and curl cannot tell
// either), and would put every later answer on the connection one off. The answer names its
// organization: one for another organization than the call asked for is never delivered; the
// connection is closed (`connections_discarded.out_of_step`) and the call sent again, once, on
// a new connection (`retries.out_of_step`); a second such answer fails it with
// `error::answer_for_another_organization`.

#include "conformance/scripting.hpp"

using namespace stytch;
using namespace stytch::test;
using namespace std::chrono_literals;

namespace {

/// Call 2's attempts: the first, on the pooled connection, got the stray (a 200 for another
/// organization); the second, on a new connection, its own answer, still as attempt 1.
void check_resent_once(const std::vector<attempt_log::entry>& entries) {
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    const auto& stray = entries[0].info;
    BOOST_TEST(stray.reused_connection);
    BOOST_TEST(stray.http_status == 200);
    BOOST_TEST((stray.result == error::answer_for_another_organization), stray.result.message());
    BOOST_TEST(stray.request_id == stale_request_id);  // whose answer it was
    const auto& own = entries[1].info;
    BOOST_TEST(own.attempt == 1u);  // not counted by the retry policy
    BOOST_TEST(!own.reused_connection);
    BOOST_TEST(!own.result.failed(), own.result.message());
    BOOST_TEST(own.http_status == 200);
}

void check_counted_once(client& c) {
    const auto s = c.stats();
    BOOST_TEST(s.connections_discarded.out_of_step == 1u);
    BOOST_TEST(s.retries.out_of_step == 1u);
    BOOST_TEST(s.connections_discarded.total() == 1u);
    BOOST_TEST(s.calls_failed.total() == 0u);
}

/// Calls for first_org, second_org, then third_org on one client: call 2 meets the stray
/// that `scripts` send (call 1's answers are for first_org), and is sent again; call 3 then
/// reuses the new connection and gets its own answer in one attempt (nothing stays one off).
void the_stray_is_never_delivered(client_fixture& f) {
    auto& c = f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    f.log.clear();
    check_own_answer(f.run_call(second_org), second_org);
    check_resent_once(f.log.entries());
    check_counted_once(c);
    f.log.clear();
    check_own_answer(f.run_call(third_org), third_org);
    const auto third = f.log.entries();
    BOOST_TEST_REQUIRE(third.size() == 1u);
    BOOST_TEST(third[0].info.reused_connection);
    BOOST_TEST(f.server.connections_accepted() == 2u);
    check_counted_once(c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(out_of_step)

// A stray sent at once, right behind call 1's answer, that crossed call 2's request on the
// wire: it arrives just ahead of call 2's own answer, each in its own TLS record of one TCP
// segment. Taken as call 2's answer by the framing; call 2's real answer is left behind in
// the buffers, so keeping the connection would shift every later call by one.
BOOST_AUTO_TEST_CASE(a_stray_answer_at_once_ahead_of_the_next_answer) {
    client_fixture f;
    script_requests(f.server, {{},
                               {script_step::write(ok_answer_for(f.server, first_org)),
                                script_step::normal_answer()}});
    the_stray_is_never_delivered(f);
}

// A stray that comes late, while call 2's request is on its way: the server writes it 200 ms
// after call 1's answer, long after call 2 (started as soon as call 1 completed) took the
// pooled connection and wrote its request, which the server then answers behind the stray.
BOOST_AUTO_TEST_CASE(a_stray_answer_after_the_next_request_was_written) {
    client_fixture f;
    script_requests(f.server, {{script_step::normal_answer(),
                                script_step::write(ok_answer_for(f.server, first_org), 200ms)}});
    the_stray_is_never_delivered(f);
}

// The new connection is out of step too: the call fails with its own code (a protocol
// error), after two attempts; both connections are closed, and the next call is unaffected.
BOOST_AUTO_TEST_CASE(a_second_answer_for_another_organization_fails_the_call) {
    client_fixture f;
    script_requests(
        f.server,
        {{},
         {script_step::write(ok_answer_for(f.server, first_org)), script_step::normal_answer()},
         {script_step::write(ok_answer_for(f.server, third_org)), script_step::normal_answer()}});
    auto& c = f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    f.log.clear();
    auto r = f.run_call(second_org);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == error::answer_for_another_organization),
               r.error().code.message());
    BOOST_TEST((r.error().code == condition::protocol_error));
    BOOST_TEST(r.error().details.status_code == 200);
    BOOST_TEST(r.error().details.request_id == stale_request_id);
    const auto entries = f.log.entries();
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0].info.reused_connection);
    BOOST_TEST(!entries[1].info.reused_connection);
    for (const auto& e : entries) {
        BOOST_TEST((e.info.result == error::answer_for_another_organization));
    }
    auto s = c.stats();
    BOOST_TEST(s.connections_discarded.out_of_step == 2u);
    BOOST_TEST(s.retries.out_of_step == 1u);
    BOOST_TEST(s.calls_failed.protocol_error == 1u);
    BOOST_TEST(s.connections_open == 0u);
    check_own_answer(f.run_call(third_org), third_org);
    BOOST_TEST(f.server.connections_accepted() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
