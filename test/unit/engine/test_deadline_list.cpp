// The deadline list keeps calls in deadline order, whatever their arrival.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

#include "engine/deadline_list.hpp"
#include "unit/engine/pool_fakes.hpp"

using namespace stytch::detail;
using namespace stytch::test::engine;

BOOST_AUTO_TEST_CASE(deadlines_are_kept_in_order_whatever_the_arrival) {
    deadline_list<fake_call, &fake_call::deadline_hook> list;
    const auto t0 = clk::now();
    fake_call calls[4];
    const int offsets[] = {30, 10, 40, 20};
    for (int i = 0; i < 4; ++i) {
        calls[i].id = i;
        calls[i].deadline = t0 + milliseconds(offsets[i]);
        list.insert(calls[i]);
    }
    std::vector<int> order;
    for (auto* c = list.earliest(); c != nullptr; c = list.after(*c)) {
        order.push_back(c->id);
    }
    BOOST_TEST(order == (std::vector<int>{1, 3, 0, 2}), boost::test_tools::per_element());
    list.erase(calls[1]);
    list.erase(calls[1]);  // twice is harmless
    BOOST_TEST(list.earliest() == &calls[3]);
}
