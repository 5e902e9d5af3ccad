// stytch::as_result over an operation of another library: the value reaches the result by one
// move, and an operation that passes an lvalue keeps its own.

#include <boost/asio/async_result.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

#include <stytch/as_result.hpp>

#include "unit/counted.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using stytch::test::counted;

namespace {

// An operation that completes at once with `value`, as an rvalue or as an lvalue.
template <bool AsLvalue, class Token>
void complete_with(counted& value, Token&& token) {
    asio::async_initiate<Token, void(error_code, counted)>(
        [&value](auto handler) {
            if constexpr (AsLvalue) {
                std::move(handler)(error_code(), value);
            } else {
                std::move(handler)(error_code(), std::move(value));
            }
        },
        token);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(as_result_moves)

BOOST_AUTO_TEST_CASE(an_rvalue_is_moved_into_the_result_once) {
    counted value("org");
    std::string seen;
    counted::reset();
    complete_with<false>(value, stytch::as_result([&](stytch::result<counted>&& r) {
                             BOOST_TEST_REQUIRE(r.has_value());
                             seen = r->text;
                         }));
    BOOST_TEST(seen == "org");
    BOOST_TEST(counted::moves == 1);
    BOOST_TEST(counted::copies == 0);
}

BOOST_AUTO_TEST_CASE(an_lvalue_is_copied_and_left_to_the_operation) {
    counted value("org");
    std::string seen;
    counted::reset();
    complete_with<true>(value, stytch::as_result([&](stytch::result<counted>&& r) {
                            BOOST_TEST_REQUIRE(r.has_value());
                            seen = r->text;
                        }));
    BOOST_TEST(seen == "org");
    BOOST_TEST(value.text == "org");
    BOOST_TEST(counted::copies == 1);
    BOOST_TEST(counted::moves == 0);
}

BOOST_AUTO_TEST_SUITE_END()
