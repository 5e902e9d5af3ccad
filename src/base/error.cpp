// The `stytch` error category, the `stytch.condition` category and the exception hook of
// stytch::result.

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

const char* error_message(int ev) noexcept {
    if (ev == 0) {
        return "success";  // never handed out by the library, but constructible by anyone
    }
    switch (static_cast<error>(ev)) {
        case error::missing_project_id:
            return "the project id is empty";
        case error::missing_secret:
            return "the project secret is empty";
        case error::invalid_base_url:
            return "the base URL is not a valid https://host[:port][/prefix] URL";
        case error::insecure_base_url:
            return "the base URL does not use https";
        case error::invalid_config:
            return "the client configuration has an unusable value (a timeout or limit out of "
                   "range, a proxy URL, a client key without certificate)";
        case error::empty_organization_id:
            return "the organization id is empty";
        case error::invalid_header_value:
            return "a header value contains a control character (other than HTAB)";
        case error::conflicting_authorization:
            return "both a session token and a session JWT were given";
        case error::empty_session_credential:
            return "the session token or session JWT is empty";
        case error::malformed_json:
            return "the response body is not a JSON object";
        case error::missing_field:
            return "a required field of the response is absent or null";
        case error::unexpected_type:
            return "a field of the response has an unexpected JSON type";
        case error::client_closed:
            return "the client was closed";
        case error::unauthorized_credentials:
            return "the API refused the project credentials (unauthorized_credentials)";
        case error::too_many_requests:
            return "the API rate limit was exceeded (too_many_requests)";
        case error::internal_server_error:
            return "the API reported an internal error (internal_server_error)";
        case error::organization_not_found:
            return "the organization was not found (organization_not_found)";
        case error::session_not_found:
            return "the member session was not found (session_not_found)";
        case error::unauthorized_action:
            return "the member is not allowed to perform this action (unauthorized_action)";
        case error::client_error:
            return "the API answered with a client error status (4xx)";
        case error::server_error:
            return "the API answered with a server error status (5xx)";
        case error::unexpected_status:
            return "the API answered with an unexpected HTTP status";
        case error::json_too_deep:
            return "the response body nests JSON deeper than the configured limit";
        case error::non_finite_number:
            return "a JSON number of the response is out of the range of a double";
        case error::answer_metadata_limit:
            return "the server sent more chunk metadata or trailers than the limit allows";
        case error::unexpected_switch_protocols:
            return "the server switched protocols without being asked (101)";
        case error::unsolicited_answer:
            return "the server sent bytes before the request (an unsolicited answer)";
        case error::proxy_refused:
            return "the HTTPS proxy refused the CONNECT request";
        case error::proxy_tunnel_failed:
            return "the HTTPS proxy broke the tunnel (a malformed answer to CONNECT, bytes "
                   "before the TLS handshake, or a close during it)";
        case error::http2_not_negotiated:
            return "HTTP/2 is required but the server did not select h2 (ALPN)";
        case error::invalid_timeout:
            return "the per-call timeout is zero or negative";
        case error::http2_stream_refused:
            return "the server refused the HTTP/2 stream without processing the request";
        case error::http2_stream_reset:
            return "the server reset the HTTP/2 stream before a complete answer";
        case error::http2_protocol_error:
            return "the server broke the HTTP/2 protocol";
        case error::send_buffer_limit:
            return "the server made the client hold too many bytes to send without reading them";
        case error::answer_for_another_organization:
            return "the server's success answer is for another organization than the one asked "
                   "for";
    }
    return "unknown stytch error";
}

class error_category_impl final : public boost::system::error_category {
  public:
    // A fixed id keeps codes comparable across shared-library boundaries.
    constexpr error_category_impl() noexcept : error_category(0x5d2f3a9c1b7e4a01ULL) {}

    const char* name() const noexcept override { return "stytch"; }

    std::string message(int ev) const override { return error_message(ev); }

    const char* message(int ev, char* /*buffer*/, std::size_t /*len*/) const noexcept override {
        return error_message(ev);
    }
};

const char* condition_message(int ev) noexcept {
    switch (static_cast<condition>(ev)) {
        case condition::config_error:
            return "the client configuration is unusable";
        case condition::invalid_request:
            return "the request was refused before it was sent";
        case condition::api_error:
            return "the API answered with an error status";
        case condition::decode_error:
            return "the API answer could not be decoded";
        case condition::protocol_error:
            return "the server broke the HTTP protocol or refused the required HTTP version";
        case condition::proxy_error:
            return "the HTTPS proxy refused or broke the tunnel";
    }
    return "unknown stytch condition";
}

// The condition of a `stytch` error value, or 0 when it belongs to none.
int condition_of(int ev) noexcept {
    const auto e = static_cast<error>(ev);
    if (e >= error::missing_project_id && e <= error::invalid_config) {
        return static_cast<int>(condition::config_error);
    }
    if (e >= error::empty_organization_id && e <= error::empty_session_credential) {
        return static_cast<int>(condition::invalid_request);
    }
    if (e >= error::malformed_json && e <= error::unexpected_type) {
        return static_cast<int>(condition::decode_error);
    }
    if (e >= error::unauthorized_credentials && e <= error::unexpected_status) {
        return static_cast<int>(condition::api_error);
    }
    if (e >= error::json_too_deep && e <= error::non_finite_number) {
        return static_cast<int>(condition::decode_error);
    }
    if (e >= error::answer_metadata_limit && e <= error::unsolicited_answer) {
        return static_cast<int>(condition::protocol_error);
    }
    if (e == error::http2_not_negotiated ||
        (e >= error::http2_stream_refused && e <= error::answer_for_another_organization)) {
        return static_cast<int>(condition::protocol_error);
    }
    if (e >= error::proxy_refused && e <= error::proxy_tunnel_failed) {
        return static_cast<int>(condition::proxy_error);
    }
    if (e == error::invalid_timeout) {
        return static_cast<int>(condition::invalid_request);
    }
    return 0;
}

class condition_category_impl final : public boost::system::error_category {
  public:
    constexpr condition_category_impl() noexcept : error_category(0x5d2f3a9c1b7e4a02ULL) {}

    const char* name() const noexcept override { return "stytch.condition"; }

    std::string message(int ev) const override { return condition_message(ev); }

    const char* message(int ev, char* /*buffer*/, std::size_t /*len*/) const noexcept override {
        return condition_message(ev);
    }

    bool equivalent(const boost::system::error_code& code, int cond) const noexcept override {
        return code.category() == stytch::error_category() && cond != 0 &&
               condition_of(code.value()) == cond;
    }
};

constexpr error_category_impl error_category_instance;
constexpr condition_category_impl condition_category_instance;

}  // namespace

const boost::system::error_category& error_category() noexcept {
    return error_category_instance;
}

const boost::system::error_category& condition_category() noexcept {
    return condition_category_instance;
}

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
