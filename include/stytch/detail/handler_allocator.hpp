#pragma once

/// @file
/// The allocator the library gives a handler that has none of its own (implementation detail).

#include <cstddef>

#include <stytch/export.hpp>

namespace stytch::detail {

/// Memory from a per-thread cache of recently freed blocks (Asio's recycling cache), so that
/// the handler a call type-erases costs no heap allocation in steady state.
STYTCH_EXPORT void* allocate_handler_memory(std::size_t size, std::size_t alignment);

/// Gives back memory from allocate_handler_memory() with the same size and alignment.
STYTCH_EXPORT void deallocate_handler_memory(void* p, std::size_t size,
                                             std::size_t alignment) noexcept;

/// A stateless allocator over allocate_handler_memory(); all instances compare equal.
template <class T>
struct handler_allocator {
    /// Allocated type.
    using value_type = T;

    /// Default construction (stateless).
    handler_allocator() noexcept = default;
    /// Rebinding copy.
    template <class U>
    handler_allocator(const handler_allocator<U>&) noexcept {}

    /// Storage for `n` objects of `T`.
    T* allocate(std::size_t n) {
        return static_cast<T*>(allocate_handler_memory(n * sizeof(T), alignof(T)));
    }
    /// Frees storage from allocate(n).
    void deallocate(T* p, std::size_t n) noexcept {
        deallocate_handler_memory(p, n * sizeof(T), alignof(T));
    }

    /// Stateless: always equal.
    template <class U>
    friend bool operator==(const handler_allocator&, const handler_allocator<U>&) noexcept {
        return true;
    }
};

}  // namespace stytch::detail
