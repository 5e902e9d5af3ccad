#include <stytch/detail/handler_allocator.hpp>

#include <boost/asio/recycling_allocator.hpp>

#include <new>

namespace stytch::detail {

namespace {
// Asio's recycling cache hands out blocks aligned for T; counted in units of max_align_t.
using unit = std::max_align_t;

std::size_t units(std::size_t size) noexcept {
    return (size + sizeof(unit) - 1) / sizeof(unit);
}
}  // namespace

void* allocate_handler_memory(std::size_t size, std::size_t alignment) {
    if (alignment > alignof(unit)) {
        return ::operator new(size, std::align_val_t(alignment));
    }
    return boost::asio::recycling_allocator<unit>().allocate(units(size));
}

void deallocate_handler_memory(void* p, std::size_t size, std::size_t alignment) noexcept {
    if (alignment > alignof(unit)) {
        ::operator delete(p, size, std::align_val_t(alignment));
        return;
    }
    boost::asio::recycling_allocator<unit>().deallocate(static_cast<unit*>(p), units(size));
}

}  // namespace stytch::detail
