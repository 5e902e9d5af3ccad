// Any Retry-After value: a non-negative delay or nothing.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/retry_after.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view value(reinterpret_cast<const char*>(data), size);
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    auto delay = stytch::detail::parse_retry_after(value, now);
    if (delay && delay->count() < 0) {
        std::abort();
    }
    return 0;
}
