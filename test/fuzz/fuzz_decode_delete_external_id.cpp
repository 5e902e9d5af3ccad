// Any body given to the 2xx decoder: no crash, no leak, a result or a decode error code; with
// the default depth limit and with a tiny one (every untyped value past 2 levels refused).
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/response_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    stytch::b2b::delete_external_id_response out;
    stytch::b2b::delete_external_id_response shallow;
    const auto shallow_ec = stytch::detail::decode_delete_external_id(200, body, shallow, 2);
    if (shallow_ec && shallow_ec != stytch::condition::decode_error) {
        std::abort();
    }
    auto ec = stytch::detail::decode_delete_external_id(200, body, out,
                                                        stytch::detail::default_max_json_depth);
    if (ec) {
        if (ec != stytch::condition::decode_error) {
            std::abort();
        }
        return 0;
    }
    // A decoded answer encodes, and that encoding decodes to the same value.
    std::string again = boost::json::serialize(boost::json::value_from(out));
    stytch::b2b::delete_external_id_response round;
    if (stytch::detail::decode_delete_external_id(200, again, round,
                                                  stytch::detail::default_max_json_depth) ||
        !(round == out)) {
        std::abort();
    }
    return 0;
}
