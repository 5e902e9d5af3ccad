#pragma once

/// @file
/// The error model: one error category for everything the library itself detects, an error
/// condition category to classify codes, and the details of an API error.

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <iosfwd>
#include <string>
#include <type_traits>

#include <stytch/export.hpp>

namespace stytch {

/// Error codes in the `stytch` category. Transport failures keep their own Asio, SSL or Beast
/// code; these cover configuration, validation, decoding and the answers of the API.
enum class error {
    // Configuration (condition::config_error)
    missing_project_id = 1,  ///< `project_id` is empty
    missing_secret,          ///< `secret` is empty
    invalid_base_url,        ///< the base URL does not parse or has no host
    insecure_base_url,       ///< the base URL is not `https`
    invalid_config,          ///< a limit, timeout, proxy URL or TLS setting is unusable

    // Request validation, detected before any I/O (condition::invalid_request)
    empty_organization_id,  ///< the organization id is empty
    /// A control character other than HTAB (0x00-0x08, 0x0A-0x1F, 0x7F) in a header value;
    /// bytes from 0x80 up are allowed (obs-text)
    invalid_header_value,
    conflicting_authorization,  ///< both a session token and a session JWT were given
    empty_session_credential,   ///< a session token or JWT was given but is empty

    // Decoding a 2xx answer (condition::decode_error)
    malformed_json,   ///< the body is not valid JSON, or is not an object
    missing_field,    ///< a required field is absent or null
    unexpected_type,  ///< a field has the wrong JSON type

    // Lifetime
    client_closed,  ///< the client was closed or destroyed before the call completed

    // API errors with a known Stytch error_type, named after it (condition::api_error)
    unauthorized_credentials,  ///< the project id or secret is wrong
    too_many_requests,         ///< rate limited
    internal_server_error,     ///< Stytch failed internally
    organization_not_found,    ///< no organization with that id, slug or external id
    session_not_found,         ///< the member session token or JWT is unknown or expired
    unauthorized_action,       ///< the member may not do this

    // API errors with an unknown error_type, by HTTP status class (condition::api_error)
    client_error,       ///< other 4xx
    server_error,       ///< other 5xx
    unexpected_status,  ///< 1xx or 3xx

    // Decoding, continued (condition::decode_error)
    json_too_deep,      ///< the body nests deeper than `client_config::max_json_depth`
    non_finite_number,  ///< a JSON number is outside the range of a double (e.g. 1e400)

    // HTTP/1.1 violations by the server; the connection is discarded (condition::protocol_error)
    answer_metadata_limit,        ///< chunk-size lines, chunk extensions or trailers too large
    unexpected_switch_protocols,  ///< a `101 Switching Protocols` that was not asked for
    unsolicited_answer,           ///< bytes arrived on a connection before the request was sent

    // Proxies (condition::proxy_error)
    proxy_refused,  ///< the proxy answered the CONNECT with a status other than 2xx
    /// The proxy's answer to CONNECT was malformed, cut off or over the header limit, a 2xx
    /// announced a body or bytes followed it, or the tunnel closed during the TLS handshake.
    proxy_tunnel_failed,

    // HTTP version (condition::protocol_error)
    /// `client_config::http_version` is `http2` and the server did not select `h2` by ALPN;
    /// the connection is closed before anything is sent.
    http2_not_negotiated,
    // Request validation, continued (condition::invalid_request)
    /// `delete_external_id_options::timeout` is zero or negative
    invalid_timeout,

    // HTTP/2 streams and connections (condition::protocol_error)
    /// The server did not process the request: `RST_STREAM REFUSED_STREAM`, or a stream above
    /// a GOAWAY's last stream id. Retried at once on another stream, without counting an
    /// attempt, a few times; this code when that did not help (then retried by the policy).
    http2_stream_refused,
    /// The server reset the call's stream (`RST_STREAM` with another code) before a complete
    /// answer; the connection and its other calls go on. Not retried: the server may have acted.
    /// `api_error::error_type` names the HTTP/2 error code (e.g. `INTERNAL_ERROR`).
    http2_stream_reset,
    /// The server broke HTTP/2, and the client said so at once (RST_STREAM or GOAWAY) and
    /// completed the call: a malformed answer on the call's stream (a stream error: only that
    /// call fails, not retried), or a connection error (bad frames, a PUSH_PROMISE, a window
    /// overflow, a frame on a stream never opened, endless CONTINUATION, a flood of SETTINGS or
    /// PING; the connection is closed, and a call whose answer had not begun is retried by the
    /// policy like a transport failure). `api_error::error_type` names the HTTP/2 error code
    /// sent (e.g. `PROTOCOL_ERROR`), `api_error::error_message` what was wrong.
    http2_protocol_error,

    // Memory bounds (condition::protocol_error)
    /// The server made the client hold more than 256 KiB of bytes to send on one connection
    /// while it read none of them (a flood of TLS 1.3 KeyUpdate requests, say): the connection
    /// is closed; a call whose answer had not begun is retried by the policy.
    send_buffer_limit,

    // Answers for another call (condition::protocol_error)
    /// A 2xx answer is for another organization than the one the call named (by its id or
    /// slug; an external id is gone from the answer once deleted: the rule is in
    /// docs/reliability.md). Over HTTP/1.1 a stray answer put the connection one answer out of
    /// step: it is closed and the request sent once more on a new connection; this code when
    /// that happens twice for one call. Over HTTP/2, at once.
    answer_for_another_organization,
};

/// Broad classes of failure, for `ec == stytch::condition::api_error` style tests.
enum class condition {
    config_error = 1,  ///< the client configuration is unusable
    invalid_request,   ///< the request was refused before anything was sent
    api_error,         ///< the server answered with a non-2xx status
    decode_error,      ///< a 2xx answer could not be decoded
    /// The server broke the HTTP protocol, or did not agree to the required HTTP version; its
    /// connection was discarded
    protocol_error,
    proxy_error,  ///< the HTTPS proxy refused or broke the tunnel
};

/// The category of stytch::error values (name: "stytch").
STYTCH_EXPORT const boost::system::error_category& error_category() noexcept;

/// The category of stytch::condition values (name: "stytch.condition").
STYTCH_EXPORT const boost::system::error_category& condition_category() noexcept;

/// Makes an error_code from a stytch::error (found by ADL).
inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Makes an error_condition from a stytch::condition (found by ADL).
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// What the server said when it answered with a non-2xx status, or (`decode_path`) where
/// its 2xx answer failed to decode.
///
/// Filled from Stytch's error JSON (`status_code`, `request_id`, `error_type`, `error_message`,
/// `error_url`, `error_details`) or from the OAuth2 shape (`error` → error_type,
/// `error_description` → error_message, `error_uri` → error_url). A non-JSON body, or one with
/// a member nesting deeper than `client_config::max_json_depth`, leaves everything but
/// `status_code` (the HTTP status) empty. A failure of the proxy (condition::proxy_error, or
/// any failure to reach or tunnel through it) names it in `error_message`, e.g. `proxy
/// 10.0.0.5:3128 answered 407 to CONNECT` (never its credentials); for `error::proxy_refused`
/// `status_code` is the proxy's status.
struct api_error {
    int status_code = 0;          ///< HTTP status of the answer
    std::string request_id{};     ///< Stytch request id, when given
    std::string error_type{};     ///< machine-readable type, e.g. `organization_not_found`
    std::string error_message{};  ///< human-readable message
    std::string error_url{};      ///< documentation link
    /// Free-form details; null when absent, or when they hold a number beyond the range of a
    /// double (e.g. `1e400`)
    boost::json::value error_details{};
    /// For `error::missing_field` and `error::unexpected_type` (a 2xx answer that does not
    /// decode): the JSON path of the failing value in the answer, member names joined by `.`
    /// and array indices in brackets, e.g.
    /// `organization.custom_roles[2].permissions[0].resource_id` or `request_id`. Empty otherwise.
    /// Not part of Stytch's error shape: never serialized.
    std::string decode_path{};

    /// Member-wise equality.
    friend bool operator==(const api_error&, const api_error&) = default;
};

/// JSON encoding in Stytch's error shape (for `boost::json::value_from`).
STYTCH_EXPORT void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                              const api_error& e);

/// Prints the enumerator's name, e.g. `stytch::error::organization_not_found` (for test
/// frameworks' messages and logs); `stytch::error(<n>)` for a value outside the enumeration.
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, error e);

/// Prints the enumerator's name, e.g. `stytch::condition::api_error`.
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, condition c);

/// Prints `<error_type> (HTTP <status>, request_id <id>): <error_message>`, each part only when
/// known; `(no details)` when there is none. `error_details` and `decode_path` are left out.
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, const api_error& e);

}  // namespace stytch

namespace boost::system {
template <>
struct is_error_code_enum<stytch::error> : std::true_type {};
template <>
struct is_error_condition_enum<stytch::condition> : std::true_type {};
}  // namespace boost::system
