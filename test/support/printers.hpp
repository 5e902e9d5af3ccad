#pragma once

// Lets BOOST_TEST print the library's enums when a comparison fails.

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include <ostream>

#include <stytch/error.hpp>

namespace stytch {

inline std::ostream& boost_test_print_type(std::ostream& os, error e) {
    return os << "stytch::error(" << static_cast<int>(e) << ": " << make_error_code(e).message()
              << ")";
}

inline std::ostream& boost_test_print_type(std::ostream& os, condition c) {
    return os << "stytch::condition(" << static_cast<int>(c) << ": "
              << make_error_condition(c).message() << ")";
}

}  // namespace stytch

namespace boost::asio::error {

inline std::ostream& boost_test_print_type(std::ostream& os, basic_errors e) {
    return os << make_error_code(e);
}

inline std::ostream& boost_test_print_type(std::ostream& os, misc_errors e) {
    return os << make_error_code(e);
}

}  // namespace boost::asio::error

namespace boost::beast::http {

inline std::ostream& boost_test_print_type(std::ostream& os, error e) {
    return os << make_error_code(e);
}

}  // namespace boost::beast::http
