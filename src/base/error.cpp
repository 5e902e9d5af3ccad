// The `stytch` error category and the `stytch.condition` category: messages, and which
// condition each error belongs to. Names, printing and exceptions: error_text.cpp.

#include <stytch/error.hpp>

#include <string>

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

}  // namespace stytch
