#include "support/h2_run.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace stytch::test {

namespace {

boost::unit_test::decorator::precondition skipped_over_http2(std::string reason) {
    return boost::unit_test::decorator::precondition(
        [reason = std::move(reason)](boost::unit_test::test_unit_id) {
            boost::test_tools::assertion_result run(!over_http2());
            run.message() << reason;
            return run;
        });
}

}  // namespace

bool over_http2() {
    const char* value = std::getenv("STYTCH_TEST_HTTP_VERSION");
    const std::string_view version = value == nullptr ? "" : value;
    if (version.empty() || version == "1.1") {
        return false;
    }
    if (version == "2") {
        return true;
    }
    throw std::invalid_argument("STYTCH_TEST_HTTP_VERSION must be 1.1 or 2, not " +
                                std::string(version));
}

boost::unit_test::decorator::precondition http1_only(std::string why) {
    return skipped_over_http2("HTTP/1.1 only: " + why);
}

}  // namespace stytch::test
