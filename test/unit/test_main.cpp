#define BOOST_TEST_MODULE unit_codec
#include <boost/test/unit_test.hpp>
