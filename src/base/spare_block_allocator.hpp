#pragma once

// An allocator for an object that each call allocates once and that is too large for Asio's
// recycling cache (the call record with its shared_ptr control block, over 1 KiB): its blocks
// are recycled per thread, so the steady state neither allocates it nor makes malloc
// consolidate its fast bins for a large request on every call.

#include <cstddef>
#include <memory>

#include "base/thread_spares.hpp"

namespace stytch::detail {

template <class T>
class spare_block_allocator {
  public:
    using value_type = T;
    /// Spare blocks kept per thread (each sizeof(T)).
    static constexpr std::size_t max_spares = 64;

    spare_block_allocator() = default;
    template <class U>
    spare_block_allocator(const spare_block_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (!recycled(n)) {
            return std::allocator<T>().allocate(n);
        }
        auto block = blocks::take();
        return reinterpret_cast<T*>(block ? block->release() : new std::byte[sizeof(T)]);
    }

    void deallocate(T* p, std::size_t n) noexcept {
        if (!recycled(n)) {
            std::allocator<T>().deallocate(p, n);
            return;
        }
        blocks::give(block_ptr(reinterpret_cast<std::byte*>(p)));  // freed if not kept
    }

    friend bool operator==(const spare_block_allocator&, const spare_block_allocator&) noexcept {
        return true;
    }

  private:
    using block_ptr = std::unique_ptr<std::byte[]>;
    struct tag;
    using blocks = thread_spares<block_ptr, max_spares, tag>;

    static constexpr bool recycled(std::size_t n) noexcept {
        return n == 1 && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
    }
};

}  // namespace stytch::detail
