#define BOOST_TEST_MODULE stytch integration
#include <boost/test/unit_test.hpp>
