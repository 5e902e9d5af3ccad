#define BOOST_TEST_MODULE stytch faults
#include <boost/test/unit_test.hpp>
