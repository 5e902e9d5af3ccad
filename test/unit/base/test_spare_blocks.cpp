// Per-thread spares (base/thread_spares.hpp) and the call record's allocator built on them:
// blocks come back to the thread that freed them, within the bound, and nothing is touched once
// the thread's list is gone.

#include <boost/test/unit_test.hpp>

#include <array>
#include <memory>
#include <thread>
#include <vector>

#include "base/spare_block_allocator.hpp"
#include "base/thread_spares.hpp"

using stytch::detail::spare_block_allocator;
using stytch::detail::thread_spares;

namespace {
struct record {
    std::array<char, 1500> bytes{};
};
using allocator = spare_block_allocator<record>;

struct counted_tag;
using counted_spares = thread_spares<std::unique_ptr<int>, 2, counted_tag>;
}  // namespace

BOOST_AUTO_TEST_SUITE(spare_blocks)

BOOST_AUTO_TEST_CASE(a_freed_block_is_the_next_allocation_on_that_thread) {
    allocator a;
    record* first = a.allocate(1);
    a.deallocate(first, 1);
    record* again = a.allocate(1);
    BOOST_TEST(static_cast<void*>(again) == static_cast<void*>(first));
    a.deallocate(again, 1);

    // Through allocate_shared, as the engine makes call records.
    const void* where = nullptr;
    {
        auto p = std::allocate_shared<record>(a);
        where = p.get();
    }
    auto q = std::allocate_shared<record>(a);
    BOOST_TEST(static_cast<const void*>(q.get()) == where);
}

BOOST_AUTO_TEST_CASE(at_most_the_bound_is_kept_and_the_rest_is_freed) {
    counted_spares::give(std::make_unique<int>(1));
    counted_spares::give(std::make_unique<int>(2));
    counted_spares::give(std::make_unique<int>(3));  // beyond the bound: freed (LeakSanitizer)
    std::vector<int> taken;
    while (auto item = counted_spares::take()) {
        taken.push_back(**item);
    }
    BOOST_TEST(taken == (std::vector<int>{2, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_block_freed_while_the_thread_exits_is_not_kept) {
    // A call record that a thread_local client destroys as its thread ends: the thread's
    // spares (made after it) are destroyed first, holding one block. Taking from the
    // destroyed list would return that freed block.
    static bool took_a_spare = true;
    struct ends_a_call_at_exit {
        ~ends_a_call_at_exit() {
            took_a_spare = counted_spares::take().has_value();
            counted_spares::give(std::make_unique<int>(4));  // freed, not kept
        }
    };
    std::thread([] {
        thread_local ends_a_call_at_exit late;
        (void)late;
        counted_spares::give(std::make_unique<int>(5));  // the spares exist from here on
    }).join();
    BOOST_TEST(!took_a_spare);
}

BOOST_AUTO_TEST_SUITE_END()
