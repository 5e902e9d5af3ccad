// Any organization id and member credential: refused before encoding, or a request whose id
// stays in its path segment and whose header section cannot be split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <stytch/error.hpp>

#include "codec/request_encoder.hpp"

namespace {

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}
bool hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}
void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    // First byte: which credential; the rest: id and credential separated by the first 0xff.
    const std::uint8_t mode = data[0] % 4;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto cut = rest.find('\xff');
    std::string id(rest.substr(0, cut));
    std::string credential(cut == std::string_view::npos ? std::string_view{}
                                                         : rest.substr(cut + 1));

    static const stytch::detail::endpoint ep{"127.0.0.1", 8443, "127.0.0.1:8443", "/prefix"};
    static const stytch::detail::request_encoder encoder(ep, "project-test-x", "secret", "ua");
    stytch::b2b::delete_external_id_request request{id};
    stytch::b2b::delete_external_id_options options;
    if (mode == 1 || mode == 3) {
        options.session_token = credential;
    }
    if (mode == 2 || mode == 3) {
        options.session_jwt = credential;
    }
    stytch::detail::encoded_request encoded;
    encoded.http1 = "untouched";
    auto ec = encoder.encode_delete_external_id(request, options, encoded);
    const std::string& out = encoded.http1;
    const bool bad_value =
        credential.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    if (ec) {
        check(out == "untouched");
        check(ec == stytch::condition::invalid_request);
        return 0;
    }
    check(!id.empty() && mode != 3);
    check(mode == 0 || (!bad_value && !credential.empty()));

    // Request line: DELETE /prefix/v1/b2b/organizations/<segment>/external_id HTTP/1.1
    const std::string head = "DELETE /prefix/v1/b2b/organizations/";
    check(out.rfind(head, 0) == 0);
    const auto line_end = out.find("\r\n");
    check(line_end != std::string::npos);
    const std::string_view line(out.data(), line_end);
    const std::string_view tail = "/external_id HTTP/1.1";
    check(line.size() >= head.size() + tail.size() && line.ends_with(tail));
    const std::string_view segment =
        line.substr(head.size(), line.size() - head.size() - tail.size());
    std::string decoded;
    for (std::size_t i = 0; i < segment.size(); ++i) {
        if (segment[i] == '%') {
            check(i + 2 < segment.size() && hex(segment[i + 1]) && hex(segment[i + 2]));
            decoded.push_back(
                static_cast<char>(std::stoi(std::string(segment.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            check(unreserved(segment[i]));
            decoded.push_back(segment[i]);
        }
    }
    check(decoded == id);
    // The parts HTTP/2 and the answer check take without parsing lie where the bytes say.
    check(encoded.organization_segment() == segment);
    check(encoded.at(encoded.path) ==
          line.substr(7, line.size() - 7 - 9));  // no method, " HTTP/1.1"
    check(encoded.session_value.size == (mode == 0 ? 0 : credential.size()));
    check(mode == 0 || encoded.at(encoded.session_value) == credential);
    check(encoded.session_jwt == (mode == 2));
    // Exactly one blank line, at the end; no bare CR or LF anywhere.
    check(out.ends_with("\r\n\r\n") && out.find("\r\n\r\n") == out.size() - 4);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\r') {
            check(i + 1 < out.size() && out[i + 1] == '\n');
        } else if (out[i] == '\n') {
            check(i > 0 && out[i - 1] == '\r');
        } else {
            check(out[i] != '\0');
        }
    }
    return 0;
}
