// The type-erased completion handler a call keeps: its value reaches the handler by one move,
// its memory comes from the handler's allocator and is given back before the handler runs, and
// it reports the handler's executor and cancellation slot.

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <utility>

#include <stytch/detail/erased_completion.hpp>

#include "unit/counted.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using stytch::detail::erased_completion;
using stytch::test::counted;

namespace {

// Blocks from the heap, with how many are out.
template <class T>
struct counting_allocator {
    using value_type = T;
    int* outstanding;

    explicit counting_allocator(int* n) : outstanding(n) {}
    template <class U>
    counting_allocator(const counting_allocator<U>& o) : outstanding(o.outstanding) {}

    T* allocate(std::size_t n) {
        ++*outstanding;
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) {
        --*outstanding;
        std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    bool operator==(const counting_allocator<U>& o) const {
        return outstanding == o.outstanding;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(erased_completion_handler)

BOOST_AUTO_TEST_CASE(the_value_reaches_a_by_value_handler_by_one_move) {
    std::string seen;
    erased_completion<counted> h([&](error_code ec, counted c) {
        BOOST_TEST(!ec);
        seen = c.text;
    });
    erased_completion<counted> moved(std::move(h));  // the handler moves, not the value
    BOOST_TEST(!h);
    counted value("org");
    counted::reset();
    std::move(moved)(error_code(), std::move(value));
    BOOST_TEST(seen == "org");
    BOOST_TEST(counted::moves == 1);
    BOOST_TEST(counted::copies == 0);
    BOOST_TEST(!moved);
}

BOOST_AUTO_TEST_CASE(a_handler_taking_an_rvalue_reference_gets_the_value_itself) {
    counted value("org");
    const counted* seen = nullptr;
    erased_completion<counted> h([&](error_code, counted&& c) { seen = &c; });
    counted::reset();
    std::move(h)(error_code(), std::move(value));
    BOOST_TEST(seen == &value);
    BOOST_TEST(counted::moves == 0);
    BOOST_TEST(counted::copies == 0);
}

BOOST_AUTO_TEST_CASE(memory_comes_from_the_handlers_allocator_and_goes_back_before_it_runs) {
    int outstanding = 0;
    int during_call = -1;
    {
        erased_completion<counted> h(
            asio::bind_allocator(counting_allocator<void>(&outstanding),
                                 [&](error_code, counted) { during_call = outstanding; }));
        BOOST_TEST(outstanding == 1);
        std::move(h)(error_code(), counted("org"));
    }
    BOOST_TEST(during_call == 0);
    BOOST_TEST(outstanding == 0);
}

BOOST_AUTO_TEST_CASE(a_handler_destroyed_unrun_gives_back_its_memory_and_its_captures) {
    int outstanding = 0;
    auto capture = std::make_shared<int>(1);
    {
        erased_completion<counted> h(asio::bind_allocator(counting_allocator<void>(&outstanding),
                                                          [capture](error_code, counted) {}));
        BOOST_TEST(outstanding == 1);
        BOOST_TEST(capture.use_count() == 2);
    }
    BOOST_TEST(outstanding == 0);
    BOOST_TEST(capture.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(it_reports_the_handlers_executor_else_the_fallback) {
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    const asio::any_completion_executor fallback(ctx.get_executor());

    erased_completion<counted> bound(asio::bind_executor(strand, [](error_code, counted) {}));
    auto ex = bound.executor(fallback);
    const auto* target = ex.target<decltype(strand)>();
    BOOST_REQUIRE(target != nullptr);
    BOOST_TEST((*target == strand));

    erased_completion<counted> plain([](error_code, counted) {});
    BOOST_TEST((plain.executor(fallback) == fallback));
}

BOOST_AUTO_TEST_CASE(it_reports_the_handlers_cancellation_slot) {
    asio::cancellation_signal signal;
    erased_completion<counted> bound(
        asio::bind_cancellation_slot(signal.slot(), [](error_code, counted) {}));
    auto slot = bound.cancellation_slot();
    BOOST_TEST(slot.is_connected());
    asio::cancellation_type got = asio::cancellation_type::none;
    slot.assign([&](asio::cancellation_type t) { got = t; });
    signal.emit(asio::cancellation_type::terminal);
    BOOST_TEST((got == asio::cancellation_type::terminal));

    erased_completion<counted> plain([](error_code, counted) {});
    BOOST_TEST(!plain.cancellation_slot().is_connected());
}

BOOST_AUTO_TEST_SUITE_END()
