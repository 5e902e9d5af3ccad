#pragma once

// One connection's life as a state machine, without I/O (see driver/connection.hpp, which
// performs it). Tested alone in test/unit/test_engine.cpp.
//
// clang-format off
//   unopened ─open─▶ opening ─opened─▶ ready ─write─▶ exchanging ─answered_keep_alive─▶ ready
//                       │                │                 ├─failed_before_answer─▶ silent_failure
//                  open_failed    spoke_while_idle         └─answered_last, failed_mid_answer─▶ spent
//                       ▼                ▼
//                     spent        silent_failure            any ─close─▶ closed
//
//   ready ─retire─▶ closing (saying goodbye: GOAWAY, close_notify) ─close─▶ closed
// clang-format on

namespace stytch::detail {

enum class connection_state : unsigned char {
    unopened,
    opening,
    ready,           ///< keep-alive, nothing pending: may carry a request
    exchanging,      ///< a request is being written or its answer read
    silent_failure,  ///< the peer closed, reset or spoke before any byte of an answer
    spent,           ///< not reusable: a final answer, a failure mid-answer, a failed open
    closing,         ///< left the pool, saying goodbye to the server before it closes
    closed,
};

enum class connection_event : unsigned char {
    open,
    opened,
    open_failed,
    spoke_while_idle,  ///< the idle check found bytes, EOF, an alert or a reset
    write,
    answered_keep_alive,
    answered_last,  ///< `Connection: close`, or an answer followed by stray bytes
    failed_before_answer,
    failed_mid_answer,
    retire,  ///< the pool lets it go: a polite close begins (only from `ready`)
    close,
};

constexpr connection_state next(connection_state s, connection_event e) noexcept {
    using st = connection_state;
    using ev = connection_event;
    if (e == ev::close || s == st::closed) {
        return st::closed;
    }
    switch (s) {
        case st::unopened:
            return e == ev::open ? st::opening : s;
        case st::opening:
            return e == ev::opened ? st::ready : e == ev::open_failed ? st::spent : s;
        case st::ready:
            return e == ev::write              ? st::exchanging
                   : e == ev::spoke_while_idle ? st::silent_failure
                   : e == ev::retire           ? st::closing
                                               : s;
        case st::exchanging:
            switch (e) {
                case ev::answered_keep_alive:
                    return st::ready;
                case ev::failed_before_answer:
                    return st::silent_failure;
                case ev::answered_last:
                case ev::failed_mid_answer:
                    return st::spent;
                default:
                    return s;
            }
        default:
            return s;  // silent_failure, spent and closing only close
    }
}

}  // namespace stytch::detail
