#define BOOST_TEST_MODULE stytch conformance
#include <boost/test/unit_test.hpp>
