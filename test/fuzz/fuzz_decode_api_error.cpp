// Any status and body given to the error decoder: an api_error code, never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/response_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    const int status = 100 + ((data[0] << 8) | data[1]) % 500;
    std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
    stytch::api_error out;
    auto ec =
        stytch::detail::decode_api_error(status, body, out, stytch::detail::default_max_json_depth);
    if (!ec || out.status_code == 0) {
        std::abort();
    }
    if (status >= 300 && ec != stytch::condition::api_error) {
        std::abort();
    }
    return 0;
}
