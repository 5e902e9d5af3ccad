// A call's life as a table: every state and event of engine/call_machine.hpp, without I/O.

#include <boost/test/unit_test.hpp>

#include "driver/call.hpp"  // cancel_request_of: Asio's types as the machine sees them
#include "engine/call_machine.hpp"

using namespace stytch::detail;
using ct = boost::asio::cancellation_type;

BOOST_AUTO_TEST_SUITE(call_machine)

BOOST_AUTO_TEST_CASE(a_call_goes_from_the_queue_through_an_attempt_to_done) {
    auto s = next(call_state::queued, call_event::granted);
    BOOST_TEST((s.state == call_state::attempting && s.action == call_action::start_attempt));
    s = next(s.state, call_event::writing);
    BOOST_TEST((s.state == call_state::exchanging && s.action == call_action::none));
    s = next(s.state, call_event::finished);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::complete));
}

BOOST_AUTO_TEST_CASE(a_retry_backs_off_then_queues_again) {
    auto s = next(call_state::exchanging, call_event::retry_later);
    BOOST_TEST((s.state == call_state::backing_off && s.action == call_action::arm_backoff));
    s = next(s.state, call_event::backoff_elapsed);
    BOOST_TEST((s.state == call_state::queued && s.action == call_action::requeue));
}

BOOST_AUTO_TEST_CASE(a_backoff_that_ends_past_the_deadline_completes_the_call) {
    auto s = next(call_state::backing_off, call_event::past_deadline);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::complete));
    for (auto other : {call_state::queued, call_state::attempting, call_state::exchanging}) {
        BOOST_TEST((next(other, call_event::past_deadline).action == call_action::invalid));
    }
}

BOOST_AUTO_TEST_CASE(a_stale_connection_is_replaced_within_the_attempt) {
    for (auto from : {call_state::attempting, call_state::exchanging}) {
        auto s = next(from, call_event::replace_connection);
        BOOST_TEST((s.state == call_state::attempting && s.action == call_action::start_attempt));
    }
}

BOOST_AUTO_TEST_CASE(an_unprocessed_request_goes_back_to_the_queue_at_once) {
    for (auto from : {call_state::attempting, call_state::exchanging}) {
        auto s = next(from, call_event::not_processed);
        BOOST_TEST((s.state == call_state::queued && s.action == call_action::requeue));
    }
    BOOST_TEST(
        (next(call_state::queued, call_event::not_processed).action == call_action::invalid));
}

BOOST_AUTO_TEST_CASE(abort_reaches_a_call_in_every_state) {
    auto s = next(call_state::queued, call_event::abort);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::leave_queue));
    s = next(call_state::backing_off, call_event::abort);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::cancel_backoff));
    for (auto in : {call_state::attempting, call_state::exchanging}) {
        s = next(in, call_event::abort);  // the attempt finishes the call when it ends
        BOOST_TEST((s.state == call_state::aborting && s.action == call_action::interrupt_io));
    }
}

BOOST_AUTO_TEST_CASE(an_aborting_call_keeps_its_first_reason_and_ends_with_its_attempt) {
    auto s = next(call_state::aborting, call_event::abort);  // a second reason: ignored
    BOOST_TEST((s.state == call_state::aborting && s.action == call_action::none));
    s = next(call_state::aborting, call_event::finished);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::complete));
    // Nothing starts again: settle() turns every verdict of an aborted attempt into final.
    for (auto e : {call_event::granted, call_event::writing, call_event::replace_connection,
                   call_event::not_processed, call_event::retry_later, call_event::backoff_elapsed,
                   call_event::past_deadline}) {
        BOOST_TEST((next(call_state::aborting, e).action == call_action::invalid));
    }
}

BOOST_AUTO_TEST_CASE(a_lost_context_ends_every_call_without_an_action) {
    for (auto s : {call_state::queued, call_state::attempting, call_state::exchanging,
                   call_state::aborting, call_state::backing_off, call_state::done}) {
        const auto step = next(s, call_event::context_lost);
        BOOST_TEST((step.state == call_state::done && step.action == call_action::none));
    }
}

BOOST_AUTO_TEST_CASE(late_events_after_done_do_nothing) {
    for (auto e : {call_event::abort, call_event::backoff_elapsed, call_event::granted,
                   call_event::finished}) {
        auto s = next(call_state::done, e);
        BOOST_TEST((s.state == call_state::done && s.action == call_action::none));
    }
}

BOOST_AUTO_TEST_CASE(impossible_events_are_flagged) {
    BOOST_TEST((next(call_state::queued, call_event::writing).action == call_action::invalid));
    BOOST_TEST((next(call_state::queued, call_event::finished).action == call_action::invalid));
    BOOST_TEST((next(call_state::backing_off, call_event::granted).action == call_action::invalid));
    BOOST_TEST((next(call_state::exchanging, call_event::writing).action == call_action::invalid));
}

// advance() is what the driver calls: it moves the state as next() says and returns the
// action (impossible events are asserted there; the sanitizer builds keep assertions).
BOOST_AUTO_TEST_CASE(advance_moves_the_state_along_a_whole_life) {
    auto state = call_state::queued;
    BOOST_TEST((advance(state, call_event::granted) == call_action::start_attempt));
    BOOST_TEST((state == call_state::attempting));
    BOOST_TEST((advance(state, call_event::writing) == call_action::none));
    BOOST_TEST((state == call_state::exchanging));
    BOOST_TEST((advance(state, call_event::retry_later) == call_action::arm_backoff));
    BOOST_TEST((state == call_state::backing_off));
    BOOST_TEST((advance(state, call_event::backoff_elapsed) == call_action::requeue));
    BOOST_TEST((state == call_state::queued));
    BOOST_TEST((advance(state, call_event::granted) == call_action::start_attempt));
    BOOST_TEST((advance(state, call_event::finished) == call_action::complete));
    BOOST_TEST((state == call_state::done));
    BOOST_TEST((advance(state, call_event::abort) == call_action::none));  // late: ignored
    BOOST_TEST((state == call_state::done));
}

BOOST_AUTO_TEST_CASE(advance_through_an_abort_during_an_attempt) {
    auto state = call_state::queued;
    advance(state, call_event::granted);
    BOOST_TEST((advance(state, call_event::abort) == call_action::interrupt_io));
    BOOST_TEST((advance(state, call_event::abort) == call_action::none));
    BOOST_TEST((advance(state, call_event::finished) == call_action::complete));
    BOOST_TEST((state == call_state::done));
}

BOOST_AUTO_TEST_CASE(partial_and_total_cancellation_only_before_the_request_is_written) {
    BOOST_TEST(honours(cancel_request_of(ct::terminal), false));
    BOOST_TEST(honours(cancel_request_of(ct::terminal), true));
    BOOST_TEST(honours(cancel_request_of(ct::partial), false));
    BOOST_TEST(honours(cancel_request_of(ct::total), false));
    BOOST_TEST(!honours(cancel_request_of(ct::partial), true));
    BOOST_TEST(!honours(cancel_request_of(ct::total), true));
    BOOST_TEST(!honours(cancel_request_of(ct::none), false));
    BOOST_TEST(honours(cancel_request_of(ct::terminal | ct::partial | ct::total), true));
}

BOOST_AUTO_TEST_SUITE_END()
