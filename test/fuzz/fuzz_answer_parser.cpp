// Any bytes from the server, split into reads of any sizes, optionally ending in a flood (one
// unit repeated up to millions of times, generated as it is fed, never held whole): the answer
// reader either completes with a status and a body within the limit, asks for more, or fails;
// it never crashes, never holds more unparsed bytes than its limits allow, and never keeps
// asking for more once a flood has gone past what the limits can accept.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/answer_reader.hpp"

namespace {

using stytch::detail::parse_status;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) {
        return 0;
    }
    // Control bytes: read size, body limit, flood length, where the flood unit starts.
    const std::size_t read_size = 1 + data[0] % 64;
    stytch::detail::answer_limits limits;
    limits.header = 1024;
    limits.metadata = 2048;
    limits.body = 16u * data[1];
    const std::size_t repeats = static_cast<std::size_t>(data[2]) << 14;  // up to 4 million
    const std::size_t split = data[3];
    data += 4;
    size -= 4;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string_view prefix = repeats ? input.substr(0, std::min(split, size)) : input;
    const std::string_view unit = repeats ? input.substr(prefix.size()) : std::string_view{};

    // Beyond this many bytes a reader that still wants more buffers without bound: all non-body
    // bytes are within the metadata allowance, the body within its limit, the rest unparsed.
    const std::size_t bound =
        limits.header + 2 * limits.metadata + 9 * (limits.body + 1) + read_size;

    std::string body, retry_after;
    stytch::detail::answer_reader reader(body, retry_after, limits);
    boost::beast::flat_buffer in;
    boost::system::error_code ec;
    auto status = parse_status::need_more;
    std::size_t fed = 0;
    auto feed = [&](std::string_view bytes) {
        for (std::size_t at = 0; at < bytes.size() && status == parse_status::need_more;) {
            const std::size_t n = std::min(read_size, bytes.size() - at);
            auto space = in.prepare(n);
            std::memcpy(space.data(), bytes.data() + at, n);
            in.commit(n);
            at += n;
            fed += n;
            status = reader.feed(in, ec);
            if (status == parse_status::need_more &&
                (in.size() > limits.metadata + read_size || fed > bound)) {
                std::abort();
            }
        }
    };
    feed(prefix);
    for (std::size_t i = 0; i < repeats && !unit.empty() && status == parse_status::need_more;
         ++i) {
        feed(unit);
    }
    if (status == parse_status::need_more && reader.got_some()) {
        reader.put_eof(ec);
        status = ec ? parse_status::failed : parse_status::complete;
    }
    if (body.size() > limits.body) {
        std::abort();
    }
    if (status == parse_status::complete && (reader.status() / 100 == 1 || reader.status() > 999)) {
        std::abort();  // an interim answer is never the answer
    }
    if (status == parse_status::failed && !ec) {
        std::abort();
    }
    return 0;
}
