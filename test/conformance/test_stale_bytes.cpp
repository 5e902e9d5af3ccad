// Issue 9, item 1: whatever a server sends after a complete answer (a second answer, a 408, a
// stray byte, close_notify, FIN), back to back or while the connection idles in the pool, is
// never taken for the next call's answer: that call goes on over a new connection.
// Every test waits (eventually) until the mock says the stray bytes were acknowledged by the
// client's TCP, so they are there before the next call starts; no test sleeps.

#include "conformance/scripting.hpp"

using namespace stytch;
using namespace stytch::test;
using namespace std::chrono_literals;

namespace {

/// Call 1 (first_org) is answered by `script`; once the mock has carried out all of its
/// `steps` steps, call 2 (second_org) must get its own answer in one attempt on a new
/// connection.
void next_call_is_not_affected(client_fixture& f, std::size_t steps) {
    f.make_client();
    auto first = f.run_call(first_org);
    BOOST_TEST_REQUIRE(first.has_value(), first.error().code.message());
    BOOST_TEST(first->organization.organization_id == first_org);
    BOOST_REQUIRE(eventually([&] { return f.server.script_steps_completed() == steps; }));
    f.log.clear();
    auto second = f.run_call(second_org);
    check_own_answer(second, second_org);
    check_one_attempt_on_a_new_connection(f.log.entries());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(f.server.requests_received() == 2u);
}

/// The same on a new server whose first answer is `script` (each step a step of the mock).
void next_call_is_not_affected(std::vector<script_step> script) {
    client_fixture f;
    const auto steps = script.size();
    script_requests(f.server, {std::move(script)});
    next_call_is_not_affected(f, steps);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stale_bytes)

BOOST_AUTO_TEST_CASE(second_answer_in_the_next_record_back_to_back) {
    client_fixture f;
    script_requests(f.server, {{script_step::normal_answer(),
                                script_step::write(ok_answer_for(f.server, first_org))}});
    next_call_is_not_affected(f, 2);
}

BOOST_AUTO_TEST_CASE(second_answer_while_idle_in_the_pool) {
    for (auto delay : {50ms, 300ms}) {
        BOOST_TEST_CONTEXT("delay " << delay.count() << " ms") {
            client_fixture f;
            script_requests(f.server,
                            {{script_step::normal_answer(),
                              script_step::write(ok_answer_for(f.server, first_org), delay)}});
            next_call_is_not_affected(f, 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(unsolicited_404_while_idle) {
    const auto not_found =
        mock::render(mock::reply{.status = 404, .body = error_body(404, "organization_not_found")});
    next_call_is_not_affected({script_step::normal_answer(), script_step::write(not_found, 100ms)});
}

BOOST_AUTO_TEST_CASE(request_timeout_408_and_close_while_idle_is_never_reported) {
    next_call_is_not_affected({script_step::normal_answer(),
                               script_step::write(request_timeout_408(), 100ms),
                               script_step::of(step::shutdown)});
}

BOOST_AUTO_TEST_CASE(request_timeout_408_then_fin_while_idle_is_never_reported) {
    next_call_is_not_affected({script_step::normal_answer(),
                               script_step::write(request_timeout_408(), 100ms),
                               script_step::of(step::fin)});
}

// A server that never stops sending after its answer: the idle check reads a bounded amount
// (at most one record's worth), closes the connection, and the next call goes elsewhere.
BOOST_AUTO_TEST_CASE(endless_bytes_after_the_answer_are_bounded_and_never_an_answer) {
    client_fixture f;
    const std::string piece(16 * 1024, 'x');
    // The flood starts while the connection idles: the first piece is acknowledged by the
    // client's TCP (counted as a completed step) before the next call starts.
    script_requests(f.server, {{script_step::normal_answer(), script_step::write(piece, 50ms),
                                script_step::flood(piece, 200 * 1000 * 1000 / piece.size(), 1ms)}});
    f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    BOOST_REQUIRE(eventually([&] { return f.server.script_steps_completed() >= 2u; }));
    f.log.clear();
    const long before = status_kib("VmRSS:");
    check_own_answer(f.run_call(second_org), second_org);
    check_one_attempt_on_a_new_connection(f.log.entries());
    BOOST_TEST(status_kib("VmRSS:") - before < 4 * 1024);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 1u; }));  // flood ended
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

// The server's keep-alive timeout fires as the next request reaches it: its 408 answers the
// silence before that request, which it never read. The call goes on over a new connection.
BOOST_AUTO_TEST_CASE(request_timeout_408_racing_the_next_request_is_never_reported) {
    client_fixture f;
    script_requests(
        f.server,
        {{}, {script_step::write(request_timeout_408()), script_step::of(step::shutdown)}});
    f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    f.log.clear();
    check_own_answer(f.run_call(second_org), second_org);
    const auto entries = f.log.entries();
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0].info.reused_connection);  // the pooled one, answered with the 408
    BOOST_TEST(entries[0].info.http_status == 408);
    BOOST_TEST(entries[0].info.result.failed());
    BOOST_TEST(entries[1].info.attempt == 1u);  // not counted as an attempt
    BOOST_TEST(!entries[1].info.reused_connection);
    BOOST_TEST(entries[1].info.http_status == 200);
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(single_stray_byte_while_idle) {
    client_fixture f;
    script_requests(f.server, {{script_step::normal_answer(), script_step::write("X", 100ms)}});
    next_call_is_not_affected(f, 2);
}

BOOST_AUTO_TEST_CASE(close_notify_only_while_idle) {
    client_fixture f;
    script_requests(f.server,
                    {{script_step::normal_answer(), script_step::of(step::close_notify, 100ms)}});
    next_call_is_not_affected(f, 2);
}

BOOST_AUTO_TEST_CASE(fin_without_close_notify_while_idle) {
    client_fixture f;
    script_requests(f.server, {{script_step::normal_answer(), script_step::of(step::fin, 100ms)}});
    next_call_is_not_affected(f, 2);
}

BOOST_AUTO_TEST_CASE(second_answer_in_the_same_record_is_leftover_and_not_reused) {
    client_fixture f;
    const std::string first = ok_answer_for(f.server, first_org, "request-id-test-first") +
                              ok_answer_for(f.server, first_org);
    script_requests(f.server, {{script_step::write(first)}});  // one TLS record
    f.make_client();
    auto r = f.run_call(first_org);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().code.message());
    BOOST_TEST(r->request_id == "request-id-test-first");
    BOOST_REQUIRE(eventually([&] { return f.server.script_steps_completed() == 1u; }));
    f.log.clear();
    check_own_answer(f.run_call(second_org), second_org);
    check_one_attempt_on_a_new_connection(f.log.entries());
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(never_one_answer_behind_after_a_stray_answer) {
    client_fixture f;
    script_requests(f.server, {{script_step::normal_answer(),
                                script_step::write(ok_answer_for(f.server, first_org), 100ms)}});
    f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    BOOST_REQUIRE(eventually([&] { return f.server.script_steps_completed() == 2u; }));
    for (const char* id : {second_org, third_org, first_org, second_org, third_org, first_org}) {
        BOOST_TEST_CONTEXT("call for " << id) {
            check_own_answer(f.run_call(id), id);
        }
    }
    BOOST_TEST(f.server.requests_received() == 7u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stale_bytes)

BOOST_AUTO_TEST_CASE(second_answers_on_several_idle_connections) {
    // 8 calls at once open 8 connections; every answer is followed 50 ms later by a second one;
    // once all arrived, 8 more calls at once must each get their own answer.
    constexpr std::size_t n = 8;
    client_fixture f;
    std::vector<std::vector<script_step>> scripts;
    for (std::size_t i = 0; i < n; ++i) {
        scripts.push_back({script_step::normal_answer(),
                           script_step::write(ok_answer_for(f.server, first_org), 50ms)});
    }
    script_requests(f.server, scripts);
    auto& c = f.make_client([&](client_config& cfg) { cfg.max_connections = n; });
    const char* ids[] = {first_org, second_org, third_org};
    auto wave = [&](std::vector<result<b2b::delete_external_id_response>>& out) {
        std::size_t done = 0;
        out.assign(n, result<b2b::delete_external_id_response>{});
        for (std::size_t i = 0; i < n; ++i) {
            c.organizations().async_delete_external_id(
                {ids[i % 3]}, {},
                [&, i](boost::system::error_code ec, b2b::delete_external_id_response r) {
                    if (ec) {
                        out[i] = failure{ec, {}};
                    } else {
                        out[i] = std::move(r);
                    }
                    ++done;
                });
        }
        f.run_until([&] { return done == n; });
    };
    std::vector<result<b2b::delete_external_id_response>> first;
    wave(first);
    BOOST_TEST(f.server.connections_accepted() == n);
    BOOST_REQUIRE(eventually([&] { return f.server.script_steps_completed() == 2 * n; }));
    std::vector<result<b2b::delete_external_id_response>> second;
    wave(second);
    for (std::size_t i = 0; i < n; ++i) {
        BOOST_TEST_CONTEXT("call " << i) {
            check_own_answer(second[i], ids[i % 3]);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
