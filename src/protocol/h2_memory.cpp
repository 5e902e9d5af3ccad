#include "protocol/h2_memory.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace stytch::detail {

namespace {

// Each block starts with its class (or `large`), padded so that what follows keeps malloc's
// alignment.
constexpr std::size_t header_size = alignof(std::max_align_t);
constexpr std::size_t large = ~std::size_t{0};

std::size_t& class_of(void* user) noexcept {
    return *reinterpret_cast<std::size_t*>(static_cast<unsigned char*>(user) - header_size);
}

void* header_of(void* user) noexcept {
    return static_cast<unsigned char*>(user) - header_size;
}

// The capacity of class `c`.
constexpr std::size_t capacity(std::size_t c, std::size_t smallest) noexcept {
    return smallest << c;
}

}  // namespace

void h2_memory::trim() noexcept {
    for (auto& head : free_) {
        while (head != nullptr) {
            free_block* next = head->next;
            std::free(header_of(head));
            head = next;
        }
    }
}

void* h2_memory::allocate(std::size_t size) noexcept {
    const std::size_t c = size <= smallest ? 0 : std::bit_width((size - 1) / smallest);
    if (c >= classes) {
        if (size > ~std::size_t{0} - header_size) {
            return nullptr;
        }
        void* block = std::malloc(header_size + size);
        if (block == nullptr) {
            return nullptr;
        }
        void* user = static_cast<unsigned char*>(block) + header_size;
        class_of(user) = large;
        return user;
    }
    if (free_block* b = free_[c]) {
        free_[c] = b->next;
        return b;
    }
    void* block = std::malloc(header_size + capacity(c, smallest));
    if (block == nullptr) {
        return nullptr;
    }
    void* user = static_cast<unsigned char*>(block) + header_size;
    class_of(user) = c;
    return user;
}

void h2_memory::release(void* p) noexcept {
    if (p == nullptr) {
        return;
    }
    const std::size_t c = class_of(p);
    if (c == large) {
        std::free(header_of(p));
        return;
    }
    auto* b = static_cast<free_block*>(p);
    b->next = free_[c];
    free_[c] = b;
}

void* h2_memory::reallocate(void* p, std::size_t size) noexcept {
    if (p == nullptr) {
        return allocate(size);
    }
    if (size == 0) {
        release(p);
        return nullptr;
    }
    const std::size_t c = class_of(p);
    if (c == large) {
        if (size > ~std::size_t{0} - header_size) {
            return nullptr;
        }
        void* block = std::realloc(header_of(p), header_size + size);
        return block == nullptr ? nullptr : static_cast<unsigned char*>(block) + header_size;
    }
    const std::size_t had = capacity(c, smallest);
    if (size <= had) {
        return p;
    }
    void* q = allocate(size);
    if (q != nullptr) {
        std::memcpy(q, p, had);
        release(p);
    }
    return q;
}

nghttp2_mem h2_memory::nghttp2_allocator() noexcept {
    return {this,
            [](std::size_t size, void* m) { return static_cast<h2_memory*>(m)->allocate(size); },
            [](void* p, void* m) { static_cast<h2_memory*>(m)->release(p); },
            [](std::size_t n, std::size_t size, void* m) -> void* {
                if (size != 0 && n > SIZE_MAX / size) {
                    return nullptr;
                }
                void* p = static_cast<h2_memory*>(m)->allocate(n * size);
                if (p != nullptr) {
                    std::memset(p, 0, n * size);
                }
                return p;
            },
            [](void* p, std::size_t size, void* m) {
                return static_cast<h2_memory*>(m)->reallocate(p, size);
            }};
}

}  // namespace stytch::detail
