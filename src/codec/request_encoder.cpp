// Sans-io request encoding for DeleteExternalId.

#include "codec/request_encoder.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include <stytch/error.hpp>

namespace stytch::detail {
namespace {

constexpr std::string_view method = "DELETE ";
constexpr std::string_view api_path = "/v1/b2b/organizations/";
constexpr std::string_view path_suffix = "/external_id HTTP/1.1\r\n";
constexpr std::string_view session_header = "X-Stytch-Member-Session: ";
constexpr std::string_view session_jwt_header = "X-Stytch-Member-SessionJWT: ";
constexpr std::string_view crlf = "\r\n";
// The member-session header names as HTTP/2 sends them (RFC 9113 §8.2.1: lower case).
constexpr std::string_view session_field = "x-stytch-member-session";
constexpr std::string_view session_jwt_field = "x-stytch-member-sessionjwt";

constexpr char hex_digits[] = "0123456789ABCDEF";

// true for the bytes a path segment may carry unencoded (RFC 3986 "unreserved").
constexpr std::array<bool, 256> make_unreserved_table() {
    std::array<bool, 256> t{};
    for (int c = 'A'; c <= 'Z'; ++c) {
        t[static_cast<std::size_t>(c)] = true;
    }
    for (int c = 'a'; c <= 'z'; ++c) {
        t[static_cast<std::size_t>(c)] = true;
    }
    for (int c = '0'; c <= '9'; ++c) {
        t[static_cast<std::size_t>(c)] = true;
    }
    for (const char c : {'-', '.', '_', '~'}) {
        t[static_cast<unsigned char>(c)] = true;
    }
    return t;
}

constexpr std::array<bool, 256> unreserved = make_unreserved_table();

bool is_unreserved(char c) noexcept {
    return unreserved[static_cast<unsigned char>(c)];
}

// Validates the member credential, if any; `header` and `value` receive the header to send.
boost::system::error_code check_credential(const b2b::delete_external_id_options& options,
                                           std::string_view& header,
                                           std::string_view& value) noexcept {
    if (options.session_token && options.session_jwt) {
        return error::conflicting_authorization;
    }
    if (options.session_token) {
        header = session_header;
        value = *options.session_token;
    } else if (options.session_jwt) {
        header = session_jwt_header;
        value = *options.session_jwt;
    } else {
        return {};
    }
    if (value.empty()) {
        return error::empty_session_credential;
    }
    if (!is_valid_header_value(value)) {
        return error::invalid_header_value;
    }
    return {};
}

// Validates the call: the id, then the member credential (see check_credential).
boost::system::error_code check_call(const b2b::delete_external_id_request& request,
                                     const b2b::delete_external_id_options& options,
                                     std::string_view& header, std::string_view& value) noexcept {
    if (request.organization_id.empty()) {
        return error::empty_organization_id;
    }
    if (options.timeout && options.timeout->count() <= 0) {
        return error::invalid_timeout;
    }
    return check_credential(options, header, value);
}

}  // namespace

bool is_valid_header_value(std::string_view v) noexcept {
    for (const char c : v) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && b != '\t') || b == 0x7F) {
            return false;
        }
    }
    return true;
}

void append_percent_encoded(std::string& out, std::string_view s) {
    const auto escaped = static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return !is_unreserved(c); }));
    if (escaped == 0) {  // Stytch's ids and slugs: copied as they are
        out.append(s);
        return;
    }
    const std::size_t old_size = out.size();
    out.resize(old_size + s.size() + 2 * escaped);
    char* p = out.data() + old_size;
    for (const char c : s) {
        if (is_unreserved(c)) {
            *p++ = c;
        } else {
            const auto b = static_cast<unsigned char>(c);
            *p++ = '%';
            *p++ = hex_digits[b >> 4];
            *p++ = hex_digits[b & 0x0F];
        }
    }
}

void append_path_segment(std::string& out, std::string_view s) {
    if (s == "." || s == "..") {
        for (std::size_t i = 0; i < s.size(); ++i) {
            out.append("%2E");
        }
        return;
    }
    append_percent_encoded(out, s);
}

bool is_path_segment_of(std::string_view segment, std::string_view value) noexcept {
    if (value == "." || value == "..") {
        return segment == (value.size() == 1 ? "%2E" : "%2E%2E");
    }
    if (segment == value) {  // the usual answer: its id is the one asked for
        return std::all_of(value.begin(), value.end(), is_unreserved);
    }
    std::size_t at = 0;
    for (const char c : value) {
        if (is_unreserved(c)) {
            if (at >= segment.size() || segment[at] != c) {
                return false;
            }
            ++at;
        } else {
            const auto b = static_cast<unsigned char>(c);
            if (segment.size() - at < 3 || segment[at] != '%' ||
                segment[at + 1] != hex_digits[b >> 4] || segment[at + 2] != hex_digits[b & 0x0F]) {
                return false;
            }
            at += 3;
        }
    }
    return at == segment.size();
}

std::string base64_encode(std::string_view s) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.resize((s.size() + 2) / 3 * 4);
    char* p = out.data();
    const auto byte = [&](std::size_t i) -> std::uint32_t {
        return static_cast<unsigned char>(s[i]);
    };
    std::size_t i = 0;
    for (; i + 3 <= s.size(); i += 3) {
        const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        *p++ = alphabet[(n >> 18) & 0x3F];
        *p++ = alphabet[(n >> 12) & 0x3F];
        *p++ = alphabet[(n >> 6) & 0x3F];
        *p++ = alphabet[n & 0x3F];
    }
    const std::size_t rest = s.size() - i;
    if (rest == 1) {
        const std::uint32_t n = byte(i) << 16;
        *p++ = alphabet[(n >> 18) & 0x3F];
        *p++ = alphabet[(n >> 12) & 0x3F];
        *p++ = '=';
        *p++ = '=';
    } else if (rest == 2) {
        const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
        *p++ = alphabet[(n >> 18) & 0x3F];
        *p++ = alphabet[(n >> 12) & 0x3F];
        *p++ = alphabet[(n >> 6) & 0x3F];
        *p++ = '=';
    }
    return out;
}

request_encoder::request_encoder(const endpoint& ep, std::string_view project_id,
                                 std::string_view secret, std::string_view user_agent) {
    path_prefix_.reserve(ep.path_prefix.size() + api_path.size());
    path_prefix_.append(ep.path_prefix);
    path_prefix_.append(api_path);

    std::string credentials;
    credentials.reserve(project_id.size() + 1 + secret.size());
    credentials.append(project_id);
    credentials.push_back(':');
    credentials.append(secret);

    fixed_headers_.append("Host: ");
    authority_ = append_fixed(ep.host_header);
    fixed_headers_.append("Authorization: ");
    authorization_ = append_fixed("Basic " + base64_encode(credentials));
    fixed_headers_.append("Content-Type: ");
    content_type_ = append_fixed("application/json");
    fixed_headers_.append("User-Agent: ");
    user_agent_ = append_fixed(user_agent);
    fixed_headers_.append("Content-Length: 0\r\n");
}

text_range request_encoder::append_fixed(std::string_view value) {
    const text_range where{fixed_headers_.size(), value.size()};
    fixed_headers_.append(value);
    fixed_headers_.append(crlf);
    return where;
}

boost::system::error_code request_encoder::encode_delete_external_id(
    const b2b::delete_external_id_request& request, const b2b::delete_external_id_options& options,
    encoded_request& encoded) const {
    const std::string_view id = request.organization_id;
    std::string_view header;
    std::string_view value;
    if (const auto ec = check_call(request, options, header, value)) {
        return ec;
    }

    const std::size_t size_bound = method.size() + path_prefix_.size() + 3 * id.size() +
                                   path_suffix.size() + fixed_headers_.size() +
                                   (header.empty() ? 0 : header.size() + value.size() + 2) + 2;
    std::string& out = encoded.http1;
    out.reserve(size_bound);  // before clear(): a bad_alloc leaves `out` as it was
    out.clear();
    out.append(method);
    out.append(path_prefix_);
    encoded.organization.offset = out.size();
    append_path_segment(out, id);
    encoded.organization.size = out.size() - encoded.organization.offset;
    out.append(path_suffix);  // the path ends at its space
    const std::size_t path_end = out.size() - path_suffix.size() + path_suffix.find(' ');
    encoded.path = {method.size(), path_end - method.size()};
    out.append(fixed_headers_);
    encoded.session_value = {};
    encoded.session_jwt = header == session_jwt_header;
    if (!header.empty()) {
        out.append(header);
        encoded.session_value = {out.size(), value.size()};
        out.append(value);
        out.append(crlf);
    }
    out.append(crlf);
    return {};
}

boost::system::error_code request_encoder::encode_delete_external_id_h2(
    const b2b::delete_external_id_request& request, const b2b::delete_external_id_options& options,
    encoded_request& storage, std::vector<header_field>& out) const {
    encoded_request encoded;
    if (const auto ec = encode_delete_external_id(request, options, encoded)) {
        return ec;
    }
    h2_field_array fields;
    const auto used = h2_fields(encoded, fields);
    // The views into the request's buffer stay valid when it moves into storage (never an
    // SSO buffer: a request is longer than 15 bytes).
    out.assign(used.begin(), used.end());
    storage = std::move(encoded);
    return {};
}

std::span<const header_field> request_encoder::h2_fields(const encoded_request& request,
                                                         h2_field_array& out) const {
    out = {{{":method", "DELETE"},
            {":scheme", "https"},
            {":authority", fixed(authority_)},
            {":path", request.at(request.path)},
            {"authorization", fixed(authorization_)},
            {"content-type", fixed(content_type_)},
            {"user-agent", fixed(user_agent_)}}};
    std::size_t used = 7;
    if (request.session_value.size != 0) {
        out[used++] = {request.session_jwt ? session_jwt_field : session_field,
                       request.at(request.session_value)};
    }
    return std::span<const header_field>(out.data(), used);
}

}  // namespace stytch::detail
