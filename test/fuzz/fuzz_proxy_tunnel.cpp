// Any proxy URL, NO_PROXY list and CONNECT answer: no crash, and the answer reader keeps its
// invariants and reads the same whatever the split of the bytes (the first byte chooses the
// split size).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/no_proxy.hpp"
#include "codec/proxy_url.hpp"
#include "protocol/proxy_tunnel.hpp"

using namespace stytch::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t step = data[0] % 64 + 1;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    if (auto p = parse_proxy_url(input)) {
        if (p->host.empty() || p->port == 0) {
            std::abort();
        }
        for (char c : p->authorization) {
            if (c == '\r' || c == '\n' || c == '\0') {
                std::abort();
            }
        }
    }
    (void)no_proxy_matches(input, "api.stytch.com", 443);
    (void)no_proxy_matches(input, "10.1.2.3", 8443);
    (void)no_proxy_matches(input, "fd00::1", 443);

    connect_answer_reader whole(512);
    connect_answer_reader split(512);
    whole.feed(input);
    for (std::size_t i = 0; i < input.size(); i += step) {
        if (split.current() == connect_answer_reader::state::reading && split.room() == 0) {
            std::abort();  // reading with no room left would never end
        }
        split.feed(input.substr(i, step));
    }
    // Fed at once or in pieces, an answer reads the same.
    if (split.current() != whole.current() || split.status() != whole.status()) {
        std::abort();
    }
    return 0;
}
