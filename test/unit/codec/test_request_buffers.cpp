// The recycled buffers that requests are encoded into: room kept per thread within limits (the
// per-thread list itself: base/test_spare_blocks.cpp).

#include <boost/test/unit_test.hpp>

#include <string>

#include "codec/request_buffers.hpp"

namespace request_buffers = stytch::detail::request_buffers;

namespace {
const std::size_t short_capacity = std::string().capacity();

void drain() {
    while (request_buffers::take().capacity() > short_capacity) {
    }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(request_buffer_recycling)

BOOST_AUTO_TEST_CASE(a_buffer_given_back_is_taken_again_empty_with_its_room) {
    drain();
    std::string buffer(300, 'x');
    const void* storage = buffer.data();
    const auto capacity = buffer.capacity();
    request_buffers::give(std::move(buffer));
    const std::string again = request_buffers::take();
    BOOST_TEST(again.empty());
    BOOST_TEST(again.capacity() == capacity);
    BOOST_TEST(static_cast<const void*>(again.data()) == storage);
    BOOST_TEST(request_buffers::take().capacity() == short_capacity);  // only that one was kept
}

BOOST_AUTO_TEST_CASE(oversized_buffers_and_buffers_beyond_the_count_are_not_kept) {
    drain();
    request_buffers::give(std::string(request_buffers::max_capacity + 1, 'x'));
    BOOST_TEST(request_buffers::take().capacity() == short_capacity);

    for (std::size_t i = 0; i != request_buffers::max_spares + 1; ++i) {
        request_buffers::give(std::string(100, 'x'));
    }
    std::size_t kept = 0;
    while (request_buffers::take().capacity() >= 100) {
        ++kept;
    }
    BOOST_TEST(kept == request_buffers::max_spares);
}

BOOST_AUTO_TEST_SUITE_END()
