#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <string>

#include <stytch/error.hpp>
#include <stytch/result.hpp>

using boost::system::error_code;
using stytch::condition;
using stytch::error;

namespace {

constexpr int first_error = static_cast<int>(error::missing_project_id);
constexpr int last_error = static_cast<int>(error::answer_for_another_organization);

// The condition each error is expected to belong to (0: none).
int expected_condition(error e) {
    switch (e) {
        case error::missing_project_id:
        case error::missing_secret:
        case error::invalid_base_url:
        case error::insecure_base_url:
        case error::invalid_config:
            return static_cast<int>(condition::config_error);
        case error::empty_organization_id:
        case error::invalid_header_value:
        case error::conflicting_authorization:
        case error::empty_session_credential:
        case error::invalid_timeout:
            return static_cast<int>(condition::invalid_request);
        case error::malformed_json:
        case error::missing_field:
        case error::unexpected_type:
            return static_cast<int>(condition::decode_error);
        case error::client_closed:
            return 0;
        case error::unauthorized_credentials:
        case error::too_many_requests:
        case error::internal_server_error:
        case error::organization_not_found:
        case error::session_not_found:
        case error::unauthorized_action:
        case error::client_error:
        case error::server_error:
        case error::unexpected_status:
            return static_cast<int>(condition::api_error);
        case error::json_too_deep:
        case error::non_finite_number:
            return static_cast<int>(condition::decode_error);
        case error::answer_metadata_limit:
        case error::unexpected_switch_protocols:
        case error::unsolicited_answer:
        case error::http2_not_negotiated:
        case error::http2_stream_refused:
        case error::http2_stream_reset:
        case error::http2_protocol_error:
        case error::send_buffer_limit:
        case error::answer_for_another_organization:
            return static_cast<int>(condition::protocol_error);
        case error::proxy_refused:
        case error::proxy_tunnel_failed:
            return static_cast<int>(condition::proxy_error);
    }
    return -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(category_names) {
    BOOST_TEST(std::string(stytch::error_category().name()) == "stytch");
    BOOST_TEST(std::string(stytch::condition_category().name()) == "stytch.condition");
    BOOST_TEST(&stytch::error_category() == &stytch::error_category());
    BOOST_TEST((stytch::error_category() != stytch::condition_category()));
}

BOOST_AUTO_TEST_CASE(codes_convert_from_the_enum) {
    const error_code ec = error::missing_secret;
    BOOST_TEST(ec.value() == static_cast<int>(error::missing_secret));
    BOOST_TEST((ec.category() == stytch::error_category()));
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec == error::missing_secret));
    BOOST_TEST((ec != error::missing_project_id));
}

BOOST_AUTO_TEST_CASE(every_code_has_its_own_message) {
    std::set<std::string> seen;
    for (int v = first_error; v <= last_error; ++v) {
        const error_code ec = static_cast<error>(v);
        const std::string msg = ec.message();
        BOOST_TEST_CONTEXT("value " << v << ": " << msg) {
            BOOST_TEST(!msg.empty());
            BOOST_TEST(msg.find("unknown") == std::string::npos);
            BOOST_TEST(seen.insert(msg).second);  // distinct
            char buffer[8];
            BOOST_TEST(std::string(stytch::error_category().message(v, buffer, sizeof buffer)) ==
                       msg);
        }
    }
    BOOST_TEST(seen.size() == static_cast<std::size_t>(last_error - first_error + 1));
    // Values outside the enum still get a message.
    BOOST_TEST(!error_code(999, stytch::error_category()).message().empty());
}

BOOST_AUTO_TEST_CASE(value_zero_reads_success) {
    const error_code zero(0, stytch::error_category());
    BOOST_TEST(zero.message() == "success");
    char buffer[64];
    BOOST_TEST(std::string(stytch::error_category().message(0, buffer, sizeof buffer)) ==
               "success");
    BOOST_TEST(!zero.failed());
}

BOOST_AUTO_TEST_CASE(condition_messages) {
    std::set<std::string> seen;
    for (const auto c :
         {condition::config_error, condition::invalid_request, condition::api_error,
          condition::decode_error, condition::protocol_error, condition::proxy_error}) {
        const auto cond = make_error_condition(c);
        BOOST_TEST((cond.category() == stytch::condition_category()));
        BOOST_TEST(!cond.message().empty());
        BOOST_TEST(seen.insert(cond.message()).second);
    }
}

BOOST_AUTO_TEST_CASE(every_code_maps_to_exactly_its_condition) {
    const condition all[] = {condition::config_error,   condition::invalid_request,
                             condition::api_error,      condition::decode_error,
                             condition::protocol_error, condition::proxy_error};
    for (int v = first_error; v <= last_error; ++v) {
        const auto e = static_cast<error>(v);
        const error_code ec = e;
        BOOST_TEST_CONTEXT("value " << v) {
            for (const auto c : all) {
                const bool expected = expected_condition(e) == static_cast<int>(c);
                BOOST_TEST((ec == c) == expected);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(spot_checks_of_conditions) {
    BOOST_TEST((error_code(error::insecure_base_url) == condition::config_error));
    BOOST_TEST((error_code(error::conflicting_authorization) == condition::invalid_request));
    BOOST_TEST((error_code(error::missing_field) == condition::decode_error));
    BOOST_TEST((error_code(error::organization_not_found) == condition::api_error));
    BOOST_TEST((error_code(error::unexpected_status) == condition::api_error));
    BOOST_TEST((error_code(error::client_closed) != condition::api_error));
}

BOOST_AUTO_TEST_CASE(foreign_codes_match_no_condition) {
    const error_code ec = make_error_code(boost::system::errc::invalid_argument);
    for (const auto c : {condition::config_error, condition::invalid_request, condition::api_error,
                         condition::decode_error}) {
        BOOST_TEST((ec != c));
    }
    // Same value in another category must not alias a stytch code.
    const error_code alias(static_cast<int>(error::missing_field),
                           boost::system::generic_category());
    BOOST_TEST((alias != condition::decode_error));
    BOOST_TEST((alias != error::missing_field));
}

BOOST_AUTO_TEST_CASE(result_value_throws_system_error_with_the_code) {
    stytch::result<int> r = stytch::failure{error::session_not_found, {}};
    BOOST_TEST(!r.has_value());
    try {
        (void)r.value();
        BOOST_FAIL("value() did not throw");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == error::session_not_found));
    }
}

BOOST_AUTO_TEST_CASE(throw_exception_from_error_throws) {
    const stytch::failure f{error::client_closed, {}};
    BOOST_CHECK_EXCEPTION(stytch::throw_exception_from_error(f, BOOST_CURRENT_LOCATION),
                          boost::system::system_error,
                          [](const auto& e) { return e.code() == error::client_closed; });
}

BOOST_AUTO_TEST_CASE(value_throws_the_details_and_names_them_in_what) {
    stytch::api_error details;
    details.status_code = 404;
    details.request_id = "request-id-test-1";
    details.error_type = "organization_not_found";
    details.error_message = "Organization not found.";
    stytch::result<int> r = stytch::failure{error::organization_not_found, details};
    try {
        (void)r.value();
        BOOST_FAIL("value() did not throw");
    } catch (const stytch::error_with_details& e) {
        BOOST_TEST((e.code() == error::organization_not_found));
        BOOST_TEST((e.details() == details));
        const error_code code = error::organization_not_found;
        BOOST_TEST(std::string(e.what()) ==
                   "organization_not_found (HTTP 404, request_id request-id-test-1): "
                   "Organization not found.: " +
                       code.what());
    }
}

BOOST_AUTO_TEST_CASE(what_keeps_only_the_details_there_are) {
    auto what = [](error e, stytch::api_error d) {
        return std::string(stytch::error_with_details({e, std::move(d)}).what());
    };
    stytch::api_error proxy;
    proxy.status_code = 407;
    const error_code refused = error::proxy_refused;
    BOOST_TEST(what(error::proxy_refused, proxy) == "(HTTP 407): " + refused.what());
    const error_code empty = error::empty_organization_id;
    BOOST_TEST(what(error::empty_organization_id, {}) == empty.what());
}

// What BOOST_TEST and gtest print for a failed comparison.
template <class T>
std::string printed(const T& v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

BOOST_AUTO_TEST_CASE(errors_and_conditions_print_their_names) {
    BOOST_TEST(printed(error::organization_not_found) == "stytch::error::organization_not_found");
    BOOST_TEST(printed(error::missing_project_id) == "stytch::error::missing_project_id");
    BOOST_TEST(printed(error::answer_for_another_organization) ==
               "stytch::error::answer_for_another_organization");
    BOOST_TEST(printed(static_cast<error>(0)) == "stytch::error(0)");
    BOOST_TEST(printed(static_cast<error>(last_error + 1)) ==
               "stytch::error(" + std::to_string(last_error + 1) + ")");
    std::set<std::string> names;
    for (int v = first_error; v <= last_error; ++v) {
        names.insert(printed(static_cast<error>(v)));
    }
    BOOST_TEST(names.size() == std::size_t(last_error - first_error + 1));  // all distinct
    BOOST_TEST(printed(condition::proxy_error) == "stytch::condition::proxy_error");
    BOOST_TEST(printed(condition::config_error) == "stytch::condition::config_error");
    BOOST_TEST(printed(static_cast<condition>(99)) == "stytch::condition(99)");
}

BOOST_AUTO_TEST_CASE(details_failures_and_results_print_what_they_hold) {
    stytch::api_error details;
    BOOST_TEST(printed(details) == "(no details)");
    details.status_code = 404;
    details.request_id = "request-id-test-1";
    details.error_type = "organization_not_found";
    BOOST_TEST(printed(details) ==
               "organization_not_found (HTTP 404, request_id request-id-test-1)");
    const stytch::failure f{error::organization_not_found, details};
    BOOST_TEST(printed(f) == stytch::error_with_details(f).what());
    stytch::result<int> failed = f;
    BOOST_TEST(printed(failed) == "error:" + printed(f));
    stytch::result<int> ok = 7;
    BOOST_TEST(printed(ok) == "value:7");
}

BOOST_AUTO_TEST_SUITE_END()
