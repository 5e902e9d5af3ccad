#include "codec/request_buffers.hpp"

#include <utility>

#include "base/thread_spares.hpp"

namespace stytch::detail::request_buffers {
namespace {
struct request_buffer_tag;
using spares = thread_spares<std::string, max_spares, request_buffer_tag>;
}  // namespace

std::string take() noexcept {
    auto buffer = spares::take();
    return buffer ? std::move(*buffer) : std::string();
}

void give(std::string&& buffer) noexcept {
    // A buffer without heap room (a short string's) holds nothing worth keeping.
    if (buffer.capacity() <= std::string().capacity() || buffer.capacity() > max_capacity) {
        return;
    }
    buffer.clear();
    spares::give(std::move(buffer));
}

}  // namespace stytch::detail::request_buffers
