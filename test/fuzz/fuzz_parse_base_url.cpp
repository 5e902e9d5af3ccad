// Any base URL: refused, or an https endpoint with a host and a clean prefix.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/base_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view url(reinterpret_cast<const char*>(data), size);
    auto ep = stytch::detail::parse_base_url(url);
    if (!ep) {
        return 0;
    }
    if (ep->host.empty() || ep->host_header.empty() ||
        (!ep->path_prefix.empty() &&
         (ep->path_prefix.front() != '/' || ep->path_prefix.back() == '/'))) {
        std::abort();
    }
    for (char c : ep->host_header + ep->path_prefix) {
        if (c == '\r' || c == '\n' || c == '\0' || c == ' ' || c == '?' || c == '#') {
            std::abort();
        }
    }
    return 0;
}
