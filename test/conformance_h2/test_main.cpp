#define BOOST_TEST_MODULE stytch conformance over HTTP / 2
#include <boost/test/unit_test.hpp>
