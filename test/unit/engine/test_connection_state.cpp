// A connection's life as a table: engine/connection_state.hpp, without I/O.

#include <boost/test/unit_test.hpp>

#include "engine/connection_state.hpp"

using namespace stytch::detail;

BOOST_AUTO_TEST_SUITE(connection_machine)

BOOST_AUTO_TEST_CASE(a_keep_alive_answer_makes_the_connection_ready_again) {
    using st = connection_state;
    using ev = connection_event;
    auto s = next(next(st::unopened, ev::open), ev::opened);
    BOOST_TEST((s == st::ready));
    s = next(s, ev::write);
    BOOST_TEST((s == st::exchanging));
    BOOST_TEST((next(s, ev::answered_keep_alive) == st::ready));
    BOOST_TEST((next(s, ev::answered_last) == st::spent));
    BOOST_TEST((next(s, ev::failed_mid_answer) == st::spent));
    BOOST_TEST((next(s, ev::failed_before_answer) == st::silent_failure));
}

BOOST_AUTO_TEST_CASE(a_connection_that_spoke_while_idle_is_never_ready_again) {
    using st = connection_state;
    using ev = connection_event;
    auto s = next(st::ready, ev::spoke_while_idle);
    BOOST_TEST((s == st::silent_failure));
    BOOST_TEST((next(s, ev::write) == st::silent_failure));
    BOOST_TEST((next(s, ev::answered_keep_alive) == st::silent_failure));
    BOOST_TEST((next(st::opening, ev::open_failed) == st::spent));
}

BOOST_AUTO_TEST_CASE(only_an_idle_connection_says_goodbye_before_it_closes) {
    using st = connection_state;
    using ev = connection_event;
    BOOST_TEST((next(st::ready, ev::retire) == st::closing));
    for (auto s : {st::opening, st::exchanging, st::silent_failure, st::spent}) {
        BOOST_TEST((next(s, ev::retire) == s));  // closed at once instead
    }
    BOOST_TEST((next(st::closing, ev::write) == st::closing));
    BOOST_TEST((next(st::closing, ev::close) == st::closed));
}

BOOST_AUTO_TEST_CASE(closed_is_final) {
    using st = connection_state;
    using ev = connection_event;
    for (auto s : {st::unopened, st::opening, st::ready, st::exchanging, st::spent}) {
        BOOST_TEST((next(s, ev::close) == st::closed));
    }
    for (auto e : {ev::open, ev::opened, ev::write, ev::answered_keep_alive}) {
        BOOST_TEST((next(st::closed, e) == st::closed));
    }
}

BOOST_AUTO_TEST_SUITE_END()
