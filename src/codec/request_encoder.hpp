#pragma once

// Sans-io request encoding: validation, then one encoding of the request (encoded_request.hpp)
// that HTTP/1.1 writes as it is and HTTP/2 sends as header fields.

#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <stytch/b2b/delete_external_id.hpp>

#include "codec/base_url.hpp"
#include "codec/encoded_request.hpp"
#include "codec/header_field.hpp"

namespace stytch::detail {

/// True when `v` has no control character but HTAB: no byte 0x00-0x08, 0x0A-0x1F or 0x7F
/// (RFC 9110 §5.5 field-value; bytes >= 0x80, obs-text, are allowed).
bool is_valid_header_value(std::string_view v) noexcept;

/// Appends `s` with every byte outside `A-Z a-z 0-9 - . _ ~` written as `%XX` (uppercase hex).
void append_percent_encoded(std::string& out, std::string_view s);

/// Appends `s` as one path segment: percent-encoded, and `.` or `..` written as `%2E` or
/// `%2E%2E`, so that no intermediary resolves it as a dot segment (RFC 3986 §5.2.4). Dots
/// within a longer segment (`a.b`, `...`) are kept as they are.
void append_path_segment(std::string& out, std::string_view s);

/// True when append_path_segment(`value`) appends exactly `segment`: a request whose path
/// carries `segment` names `value`. No allocation.
bool is_path_segment_of(std::string_view segment, std::string_view value) noexcept;

/// Standard base64 with padding.
std::string base64_encode(std::string_view s);

/// Encodes requests for one client. The parts that never change (request-line prefix, Host,
/// Authorization, User-Agent) are computed once at construction.
class request_encoder {
  public:
    /// Credentials and user agent must already be valid header values (checked by
    /// client_config::validate()).
    request_encoder(const endpoint& ep, std::string_view project_id, std::string_view secret,
                    std::string_view user_agent);

    /// Validates the call (empty id, a timeout that is not positive, header injection, both
    /// session kinds) and, if valid, replaces `out` with the request, whose `http1` is
    /// `DELETE <prefix>/v1/b2b/organizations/<pct-id>/external_id HTTP/1.1` with Host,
    /// Authorization, Content-Type: application/json, User-Agent, Content-Length: 0 and at most
    /// one member-session header. On error `out` is left unchanged.
    boost::system::error_code encode_delete_external_id(
        const b2b::delete_external_id_request& request,
        const b2b::delete_external_id_options& options, encoded_request& out) const;

    /// The same request as HTTP/2 header fields (RFC 9113 §8.3), validated the same way:
    /// `:method` DELETE, `:scheme` https, `:authority` (the Host value), `:path`, then
    /// authorization, content-type, user-agent and the member-session header, names
    /// lower-cased. No content-length: the request has no body (END_STREAM on HEADERS).
    /// The fields view `storage` (which gets the encoded request) and this encoder.
    /// On error `out` and `storage` are left unchanged.
    boost::system::error_code encode_delete_external_id_h2(
        const b2b::delete_external_id_request& request,
        const b2b::delete_external_id_options& options, encoded_request& storage,
        std::vector<header_field>& out) const;

    /// The most fields a request has.
    static constexpr std::size_t max_h2_fields = 8;
    /// Room for the fields of one request, without allocating.
    using h2_field_array = std::array<header_field, max_h2_fields>;

    /// The HTTP/2 fields of `request`, which encode_delete_external_id() made: what
    /// encode_delete_external_id_h2() gives for the same call, written into `out`. They view
    /// `request` and this encoder (no copy, no allocation, no parsing): both must outlive their
    /// use.
    std::span<const header_field> h2_fields(const encoded_request& request,
                                            h2_field_array& out) const;

  private:
    // Appends `value` to fixed_headers_ and says where it lies (offsets, not views: the
    // encoder may be moved).
    text_range append_fixed(std::string_view value);
    std::string_view fixed(text_range v) const noexcept {
        return std::string_view(fixed_headers_).substr(v.offset, v.size);
    }

    std::string path_prefix_;    // "<prefix>/v1/b2b/organizations/"
    std::string fixed_headers_;  // Host .. User-Agent lines, each ending in CRLF
    text_range authority_, authorization_, content_type_, user_agent_;  // for h2_fields()
};

}  // namespace stytch::detail
