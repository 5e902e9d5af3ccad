#define BOOST_TEST_MODULE stytch h2 conformance
#include <boost/test/unit_test.hpp>
