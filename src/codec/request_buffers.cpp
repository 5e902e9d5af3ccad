#include "codec/request_buffers.hpp"

#include <new>
#include <utility>
#include <vector>

namespace stytch::detail::request_buffers {
namespace {
// A call record may end while its thread exits, after this thread's spares are gone (a
// thread_local or static client destroyed late): a flag without a destructor says so.
thread_local bool spares_gone = false;

struct spare_list {
    std::vector<std::string> buffers;
    ~spare_list() { spares_gone = true; }
};

std::vector<std::string>* spares() noexcept {
    if (spares_gone) {
        return nullptr;
    }
    thread_local spare_list s;
    return &s.buffers;
}
}  // namespace

std::string take() noexcept {
    auto* s = spares();
    if (s == nullptr || s->empty()) {
        return {};
    }
    std::string buffer = std::move(s->back());
    s->pop_back();
    return buffer;
}

void give(std::string&& buffer) noexcept {
    auto* s = spares();
    // A buffer without heap room (a short string's) holds nothing worth keeping.
    if (s == nullptr || buffer.capacity() <= std::string().capacity() ||
        buffer.capacity() > max_capacity || s->size() == max_spares) {
        return;
    }
    if (s->capacity() == 0) {
        try {
            s->reserve(max_spares);  // once: push_back below then never allocates or throws
        } catch (const std::bad_alloc&) {
            return;
        }
    }
    buffer.clear();
    s->push_back(std::move(buffer));
}

}  // namespace stytch::detail::request_buffers
