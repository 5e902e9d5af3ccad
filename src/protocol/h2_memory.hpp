#pragma once

// The allocator nghttp2 uses for one session: freed blocks are kept, by size class, and given
// again, so that a connection in steady state does not call malloc for each stream's state,
// frames and header blocks (about a dozen allocations per call without it). One session runs
// on one strand at a time: no locking.
//
// What it keeps is bounded by nghttp2's own peak use on this connection (its stream limit,
// the header list limit): a block goes back on its list when nghttp2 frees it, never more
// blocks than nghttp2 held at once. Blocks above the largest class go straight to malloc.

#include <array>
#include <cstddef>

#include <nghttp2/nghttp2.h>

namespace stytch::detail {

class h2_memory {
  public:
    h2_memory() = default;
    ~h2_memory() { trim(); }
    h2_memory(const h2_memory&) = delete;  // nghttp2 holds a pointer to it
    h2_memory& operator=(const h2_memory&) = delete;

    /// Gives the blocks kept for reuse back to the heap (an idle connection).
    void trim() noexcept;

    /// malloc, free and realloc, with their contracts: null when out of memory,
    /// release(nullptr) does nothing, reallocate(nullptr, n) allocates, reallocate(p, 0)
    /// releases and returns null. Blocks keep malloc's alignment.
    void* allocate(std::size_t size) noexcept;
    void release(void* p) noexcept;
    void* reallocate(void* p, std::size_t size) noexcept;

    /// This allocator as nghttp2 takes it (nghttp2 copies the struct; its functions reach this
    /// object through the user data, so it must outlive the session).
    nghttp2_mem nghttp2_allocator() noexcept;

  private:
    static constexpr std::size_t smallest = 32;  // bytes of the first class
    static constexpr std::size_t classes = 8;    // 32 bytes to 4 KiB

    struct free_block {
        free_block* next;
    };

    std::array<free_block*, classes> free_{};
};

}  // namespace stytch::detail
