// How errors read: enumerator names and operator<< for `error`, `condition`, `api_error` and
// `failure`, and the exception stytch::result throws (error_with_details).

#include <stytch/error.hpp>
#include <stytch/result.hpp>

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <array>
#include <ostream>
#include <string>
#include <string_view>

namespace stytch {

namespace {
// "<error_type> (HTTP <status>, request_id <id>): <message>", each part only when known.
std::string describe(const api_error& d) {
    std::string out = d.error_type;
    std::string in_brackets;
    if (d.status_code != 0) {
        in_brackets = "HTTP " + std::to_string(d.status_code);
    }
    if (!d.request_id.empty()) {
        in_brackets += (in_brackets.empty() ? "" : ", ") + ("request_id " + d.request_id);
    }
    if (!in_brackets.empty()) {
        out += (out.empty() ? "(" : " (") + in_brackets + ")";
    }
    if (!d.error_message.empty()) {
        out += (out.empty() ? "" : ": ") + d.error_message;
    }
    return out;
}

boost::system::system_error with_description(const failure& f) {
    std::string what = describe(f.details);
    return what.empty() ? boost::system::system_error(f.code)
                        : boost::system::system_error(f.code, what);
}

// Enumerator names by value (error from 1, condition from 1), in declaration order.
constexpr std::array<std::string_view, 36> error_names{
    "missing_project_id",
    "missing_secret",
    "invalid_base_url",
    "insecure_base_url",
    "invalid_config",
    "empty_organization_id",
    "invalid_header_value",
    "conflicting_authorization",
    "empty_session_credential",
    "malformed_json",
    "missing_field",
    "unexpected_type",
    "client_closed",
    "unauthorized_credentials",
    "too_many_requests",
    "internal_server_error",
    "organization_not_found",
    "session_not_found",
    "unauthorized_action",
    "client_error",
    "server_error",
    "unexpected_status",
    "json_too_deep",
    "non_finite_number",
    "answer_metadata_limit",
    "unexpected_switch_protocols",
    "unsolicited_answer",
    "proxy_refused",
    "proxy_tunnel_failed",
    "http2_not_negotiated",
    "invalid_timeout",
    "http2_stream_refused",
    "http2_stream_reset",
    "http2_protocol_error",
    "send_buffer_limit",
    "answer_for_another_organization",
};
static_assert(error_names.size() ==
                  static_cast<std::size_t>(error::answer_for_another_organization),
              "a name for every stytch::error, in order");

constexpr std::array<std::string_view, 6> condition_names{
    "config_error", "invalid_request", "api_error", "decode_error", "protocol_error", "proxy_error",
};
static_assert(condition_names.size() == static_cast<std::size_t>(condition::proxy_error),
              "a name for every stytch::condition, in order");

template <class Enum, std::size_t N>
std::ostream& print_enumerator(std::ostream& os, std::string_view type, Enum e,
                               const std::array<std::string_view, N>& names) {
    const auto v = static_cast<int>(e);
    if (v >= 1 && static_cast<std::size_t>(v) <= N) {
        return os << "stytch::" << type << "::" << names[static_cast<std::size_t>(v - 1)];
    }
    return os << "stytch::" << type << '(' << v << ')';
}
}  // namespace

std::ostream& operator<<(std::ostream& os, error e) {
    return print_enumerator(os, "error", e, error_names);
}

std::ostream& operator<<(std::ostream& os, condition c) {
    return print_enumerator(os, "condition", c, condition_names);
}

std::ostream& operator<<(std::ostream& os, const api_error& e) {
    const std::string d = describe(e);
    return os << (d.empty() ? std::string_view("(no details)") : std::string_view(d));
}

std::ostream& operator<<(std::ostream& os, const failure& f) {
    return os << with_description(f).what();
}

error_with_details::error_with_details(failure f)
    : boost::system::system_error(with_description(f)), details_(std::move(f.details)) {}

void throw_exception_from_error(const failure& f, const boost::source_location& loc) {
    boost::throw_exception(error_with_details(f), loc);
}

}  // namespace stytch
