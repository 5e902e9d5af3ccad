#include "protocol/proxy_tunnel.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>

namespace stytch::detail {
namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// `HTTP/1.x SSS[ reason]`: the status, or 0 when the line is malformed.
int parse_status_line(std::string_view line) noexcept {
    if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[7] < '0' || line[7] > '9' ||
        line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
        return 0;
    }
    int status = 0;
    const auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
    return ec == std::errc{} && end == line.data() + 12 && status >= 100 ? status : 0;
}

// Whether the fields (after the status line) are well formed and, for a 2xx, announce no body.
bool fields_acceptable(std::string_view fields, bool success) noexcept {
    while (!fields.empty()) {
        const auto eol = fields.find("\r\n");
        const std::string_view line = fields.substr(0, eol);
        fields.remove_prefix(eol == std::string_view::npos ? fields.size() : eol + 2);
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' ||
            line.front() == '\t' || line.find('\0') != std::string_view::npos) {
            return false;  // no name, or obsolete line folding
        }
        const std::string_view name = line.substr(0, colon);
        if (name.find_first_of(" \t") != std::string_view::npos) {
            return false;
        }
        const std::string_view value = trim(line.substr(colon + 1));
        if (success && (boost::beast::iequals(name, "transfer-encoding") ||
                        (boost::beast::iequals(name, "content-length") && value != "0"))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string encode_connect(const endpoint& target, const proxy_endpoint& proxy) {
    // host_header omits :443; the CONNECT target always names the port.
    std::string authority =
        target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
    // Appended piecewise: `":" + std::to_string(...)` makes g++ 12 at -O3 report a false
    // -Wrestrict inside std::string (GCC bug 105329).
    authority += ':';
    authority += std::to_string(target.port);
    std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.authorization.empty()) {
        out += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    }
    out += "\r\n";
    return out;
}

auto connect_answer_reader::feed(std::string_view bytes) -> state {
    if (state_ == state::established && !bytes.empty()) {
        state_ = state::broken;
    }
    if (state_ != state::reading) {
        return state_;
    }
    // Beyond the limit only a refusal already complete within it still counts.
    const std::size_t take = std::min(bytes.size(), room());
    total_ += take;
    buffer_.append(bytes.substr(0, take));
    state_ = parse_buffered();
    if (take < bytes.size() && state_ != state::refused) {
        state_ = state::broken;
    }
    return state_;
}

auto connect_answer_reader::parse_buffered() -> state {
    for (;;) {
        const auto end = buffer_.find("\r\n\r\n");
        if (end == std::string::npos) {
            return total_ >= limit_ ? state::broken : state::reading;
        }
        const std::string_view header(buffer_.data(), end + 2);
        const auto eol = header.find("\r\n");
        const int status = parse_status_line(header.substr(0, eol));
        const bool success = status >= 200 && status < 300;
        if (status == 0 || status == 101 || !fields_acceptable(header.substr(eol + 2), success)) {
            return state::broken;
        }
        const bool rest_empty = buffer_.size() == end + 4;
        buffer_.erase(0, end + 4);
        if (status < 200) {
            continue;  // 100 Continue, 103 Early Hints: the final answer follows
        }
        status_ = status;
        if (!success) {
            return state::refused;  // its body, if any, is left unread: the socket is closed
        }
        return rest_empty ? state::established : state::broken;
    }
}

}  // namespace stytch::detail
