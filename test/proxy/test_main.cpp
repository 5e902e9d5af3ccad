#define BOOST_TEST_MODULE stytch proxy and TLS options
#include <boost/test/unit_test.hpp>
