#define BOOST_TEST_MODULE mock_server
#include <boost/test/unit_test.hpp>
