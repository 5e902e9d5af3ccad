// The pool's HTTP/2 connections without sockets: the least-loaded one that takes a stream, and
// what drop() retires.

#include <boost/test/unit_test.hpp>

#include "engine/shared_connections.hpp"
#include "unit/engine/pool_fakes.hpp"

using namespace stytch::detail;
using namespace stytch::test::engine;

BOOST_AUTO_TEST_SUITE(shared_connection_list)

BOOST_AUTO_TEST_CASE(the_least_loaded_connection_that_accepts_a_stream_is_chosen) {
    shared_connections<fake_connection> list;
    BOOST_TEST(!list.least_loaded());
    auto busy = h2_connection(2);
    busy->streams = 1;
    auto full = h2_connection(1);
    full->streams = 1;
    auto refusing = h2_connection(4);
    refusing->usable = false;  // after a GOAWAY: accepts no stream
    list.add(busy);
    list.add(full);
    list.add(refusing);
    BOOST_TEST(list.least_loaded() == busy);
    auto idle = h2_connection(4);
    list.add(idle);
    BOOST_TEST(list.least_loaded() == idle);
    BOOST_TEST(list.size() == 4u);
    BOOST_TEST(list.idle() == 2u);  // `refusing` and `idle` carry no stream
}

BOOST_AUTO_TEST_CASE(drop_retires_what_it_selects_and_forgets_it) {
    shared_connections<fake_connection> list;
    auto keep = h2_connection(2);
    keep->streams = 1;
    auto go = h2_connection(2);
    list.add(keep);
    list.add(go);
    BOOST_TEST(list.drop([](const fake_connection& c) { return c.streams == 0; }) == 1u);
    BOOST_TEST(go->closed);
    BOOST_TEST(!keep->closed);
    BOOST_TEST(list.size() == 1u);
    std::vector<std::shared_ptr<fake_connection>> out;
    list.abandon(out);
    BOOST_TEST((out.size() == 1u && out[0] == keep));
    BOOST_TEST(!keep->closed);  // abandoned, not closed
    BOOST_TEST(list.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
