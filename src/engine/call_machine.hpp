#pragma once

// One call's life as a state machine, without I/O: the engine feeds it events and performs the
// action it answers. Tested alone in test/unit/engine/test_call_machine.cpp.
//
//   queued ──granted──▶ attempting ──writing──▶ exchanging
//     ▲ ▲                  │  ▲                     │
//     │ │                  │  └─replace_connection──┤  (a pooled connection had gone stale)
//     │ └──────────────────┴────not_processed───────┤  (HTTP/2: refused, GOAWAY, lost)
//  backoff_elapsed         ├──────retry_later───────┤──▶ backing_off ──┐
//     └────────────────────┼────────────────────────┼──────────────────┤
//                          ├────────finished────────┴──▶ done ◀─past_deadline
//                          └───abort (from either)───▶ aborting ──finished──▶ done
//
// abort also ends a call that is queued or backing off at once; context_lost ends any call
// without an action.

#include <boost/assert.hpp>

namespace stytch::detail {

enum class call_state : unsigned char {
    queued,      ///< waiting in the pool's queue for a connection (or the right to open one)
    attempting,  ///< granted; opening the connection or about to write
    exchanging,  ///< the request is being written or the answer read
    /// aborted during an attempt (deadline, cancellation, close()): the attempt was told to
    /// stop, and its end completes the call with the abort's reason
    aborting,
    backing_off,  ///< between attempts
    done,         ///< completed or about to be; late events are ignored
};

enum class call_event : unsigned char {
    granted,             ///< the pool gave a connection or the right to open one
    writing,             ///< the attempt starts writing the request
    replace_connection,  ///< a pooled connection had gone stale: again, on a new one at once
    /// HTTP/2: the server did not take the request up (REFUSED_STREAM, above a GOAWAY, a shared
    /// connection lost first): back to the pool's queue at once, on any connection
    not_processed,
    retry_later,  ///< the attempt failed and the policy allows another after a backoff
    finished,     ///< the attempt gave the call's outcome
    backoff_elapsed,
    /// the backoff timer woke at or after the deadline: the last attempt's outcome stands
    past_deadline,
    abort,  ///< a deadline, a cancellation or close()
    /// the execution context is being destroyed: nothing runs any more, nothing is delivered
    context_lost,
};

enum class call_action : unsigned char {
    none,
    start_attempt,   ///< run an attempt on the granted connection
    arm_backoff,     ///< sleep until the next attempt
    requeue,         ///< ask the pool again
    interrupt_io,    ///< close the connection the attempt uses; it then finishes
    complete,        ///< deliver the outcome
    leave_queue,     ///< withdraw from the pool's queue, then complete
    cancel_backoff,  ///< stop the backoff timer, then complete
    invalid,         ///< the event cannot happen in this state: a bug
};

struct call_step {
    call_state state;
    call_action action;
};

constexpr call_step next(call_state s, call_event e) noexcept {
    using st = call_state;
    using ev = call_event;
    using act = call_action;
    const bool in_attempt = s == st::attempting || s == st::exchanging;
    if (s == st::done || e == ev::context_lost) {
        return {st::done, act::none};  // after the end, a timer or a cancellation does nothing
    }
    if (e == ev::abort) {
        switch (s) {
            case st::queued:
                return {st::done, act::leave_queue};
            case st::backing_off:
                return {st::done, act::cancel_backoff};
            case st::aborting:
                return {s, act::none};  // the first reason stands
            default:
                return {st::aborting, act::interrupt_io};  // the attempt's end finishes the call
        }
    }
    if (s == st::aborting) {
        // The attempt ended; whatever it saw was the abort's doing. Nothing starts any more.
        return e == ev::finished ? call_step{st::done, act::complete} : call_step{s, act::invalid};
    }
    if (s == st::queued && e == ev::granted) {
        return {st::attempting, act::start_attempt};
    }
    if (s == st::attempting && e == ev::writing) {
        return {st::exchanging, act::none};
    }
    if (in_attempt && e == ev::replace_connection) {
        return {st::attempting, act::start_attempt};
    }
    if (in_attempt && e == ev::not_processed) {
        return {st::queued, act::requeue};
    }
    if (in_attempt && e == ev::retry_later) {
        return {st::backing_off, act::arm_backoff};
    }
    if (in_attempt && e == ev::finished) {
        return {st::done, act::complete};
    }
    if (s == st::backing_off && e == ev::backoff_elapsed) {
        return {st::queued, act::requeue};
    }
    if (s == st::backing_off && e == ev::past_deadline) {
        return {st::done, act::complete};
    }
    return {s, act::invalid};
}

/// Moves `state` by event `e` and returns the action to perform. An event the machine says
/// cannot happen in that state is a bug: asserted (the sanitizer builds keep assertions), and
/// in a build without assertions the state stays as it was and nothing is done.
inline call_action advance(call_state& state, call_event e) noexcept {
    const call_step step = next(state, e);
    BOOST_ASSERT_MSG(step.action != call_action::invalid,
                     "an event the call machine says cannot happen in this state");
    if (step.action != call_action::invalid) {
        state = step.state;
        return step.action;
    }
    return call_action::none;
}

/// What a cancellation asks of a call (the driver maps Asio's cancellation types to it: any
/// terminal bit makes it `terminal`, else partial or total bits `interrupt`).
enum class cancel_request : unsigned char { none, interrupt, terminal };

/// Terminal cancellation is honoured at any point; partial and total only until an attempt
/// has started writing the request (`written`), since afterwards the server may have acted.
constexpr bool honours(cancel_request r, bool written) noexcept {
    return r == cancel_request::terminal || (r == cancel_request::interrupt && !written);
}

}  // namespace stytch::detail
