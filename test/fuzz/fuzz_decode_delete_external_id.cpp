// Any body given to the 2xx decoder: no crash, no leak, a result or a decode error code.
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/response_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    stytch::b2b::delete_external_id_response out;
    auto ec = stytch::detail::decode_delete_external_id(200, body, out);
    if (ec) {
        if (ec != stytch::condition::decode_error) {
            std::abort();
        }
        return 0;
    }
    // A decoded answer encodes, and that encoding decodes to the same value.
    std::string again = boost::json::serialize(boost::json::value_from(out));
    stytch::b2b::delete_external_id_response round;
    if (stytch::detail::decode_delete_external_id(200, again, round) || !(round == out)) {
        std::abort();
    }
    return 0;
}
