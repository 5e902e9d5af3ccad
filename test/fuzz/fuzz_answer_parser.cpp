// Any bytes from the server, split into reads of any sizes: the answer parser either completes
// with a status and a body within the limit, asks for more, or fails; it never crashes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "net/answer_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    // The first two bytes choose the read size and the body limit.
    const std::size_t read_size = 1 + data[0] % 64;
    const std::size_t body_limit = 16u * data[1];
    data += 2;
    size -= 2;

    std::string body, retry_after;
    stytch::detail::answer_parser parser(body, retry_after);
    parser.header_limit(1024);
    parser.body_limit(body_limit);
    boost::beast::flat_buffer in;
    boost::system::error_code ec;
    auto status = stytch::detail::parse_status::need_more;
    for (std::size_t at = 0; at < size && status == stytch::detail::parse_status::need_more;) {
        const std::size_t n = std::min(read_size, size - at);
        auto space = in.prepare(n);
        std::memcpy(space.data(), data + at, n);
        in.commit(n);
        at += n;
        status = stytch::detail::feed(parser, in, ec);
    }
    if (status == stytch::detail::parse_status::need_more && parser.got_some()) {
        parser.put_eof(ec);
        status = ec ? stytch::detail::parse_status::failed : stytch::detail::parse_status::complete;
    }
    if (body.size() > body_limit) {
        std::abort();
    }
    if (status == stytch::detail::parse_status::complete &&
        (!parser.is_done() || parser.status() < 0 || parser.status() > 999)) {
        std::abort();
    }
    if (status == stytch::detail::parse_status::failed && !ec) {
        std::abort();
    }
    return 0;
}
