// The allocator behind each nghttp2 session: freed blocks are given again by size class, growth
// keeps the bytes, large blocks bypass the classes, and every block keeps malloc's alignment.

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "protocol/h2_memory.hpp"

using stytch::detail::h2_memory;

namespace {

bool aligned(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(h2_memory_pool)

BOOST_AUTO_TEST_CASE(a_freed_block_serves_the_next_request_of_its_class) {
    h2_memory m;
    void* a = m.allocate(40);  // class of 64 bytes
    BOOST_TEST(aligned(a));
    m.release(a);
    void* b = m.allocate(64);  // same class: the same block
    BOOST_TEST(b == a);
    void* c = m.allocate(64);  // the list is empty: a new block
    BOOST_TEST(c != b);
    m.release(c);
    void* d = m.allocate(65);  // the next class: not the 64-byte block that is free
    BOOST_TEST(d != c);
    BOOST_TEST(m.allocate(64) == c);
    m.release(b);
    m.release(c);
    m.release(d);
}

BOOST_AUTO_TEST_CASE(blocks_of_a_class_come_back_last_freed_first) {
    h2_memory m;
    void* a = m.allocate(100);
    void* b = m.allocate(100);
    m.release(a);
    m.release(b);
    BOOST_TEST(m.allocate(128) == b);
    BOOST_TEST(m.allocate(97) == a);
    m.release(a);
    m.release(b);
}

BOOST_AUTO_TEST_CASE(growth_within_the_class_keeps_the_block_and_beyond_copies) {
    h2_memory m;
    auto* p = static_cast<char*>(m.allocate(10));  // class of 32 bytes
    std::memcpy(p, "0123456789", 10);
    BOOST_TEST(m.reallocate(p, 32) == static_cast<void*>(p));
    auto* q = static_cast<char*>(m.reallocate(p, 1000));
    BOOST_TEST(static_cast<void*>(q) != static_cast<void*>(p));  // not C strings
    BOOST_TEST(aligned(q));
    BOOST_TEST(std::memcmp(q, "0123456789", 10) == 0);
    BOOST_TEST(m.allocate(32) == static_cast<void*>(p));  // the old block went back on its list
    m.release(p);
    m.release(q);
}

BOOST_AUTO_TEST_CASE(large_blocks_bypass_the_classes) {
    h2_memory m;
    auto* big = static_cast<char*>(m.allocate(100 * 1024));
    BOOST_TEST_REQUIRE(static_cast<void*>(big) != nullptr);
    BOOST_TEST(aligned(big));
    std::memset(big, 'x', 100 * 1024);
    auto* bigger = static_cast<char*>(m.reallocate(big, 200 * 1024));
    BOOST_TEST_REQUIRE(static_cast<void*>(bigger) != nullptr);
    BOOST_TEST(bigger[100 * 1024 - 1] == 'x');
    m.release(bigger);
    // A class block growing past the largest class becomes a large one, bytes kept.
    auto* small = static_cast<char*>(m.allocate(4096));
    small[4095] = 'y';
    auto* grown = static_cast<char*>(m.reallocate(small, 5000));
    BOOST_TEST(grown[4095] == 'y');
    m.release(grown);
}

BOOST_AUTO_TEST_CASE(the_malloc_contracts_hold) {
    h2_memory m;
    m.release(nullptr);  // does nothing
    void* p = m.reallocate(nullptr, 20);
    BOOST_TEST(p != nullptr);
    BOOST_TEST(m.reallocate(p, 0) == nullptr);  // released
    BOOST_TEST(m.allocate(20) == p);
    BOOST_TEST(m.allocate(~std::size_t{0}) == nullptr);  // cannot be had: null, no throw
    m.release(p);
    m.trim();  // the lists go back to the heap; allocation goes on
    void* after = m.allocate(20);
    BOOST_TEST(after != nullptr);
    m.release(after);
}

BOOST_AUTO_TEST_SUITE_END()
