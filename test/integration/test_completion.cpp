// How completions are delivered: never inside the initiating function, never inside the
// client's strand (a slow handler delays no other call).

#include <boost/asio/post.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;

namespace {

// Starts refused calls one from the completion of the other, `left` in all, and records the
// deepest nesting of handlers seen: 1 when no handler runs inside another's initiation.
struct refused_chain {
    b2b::organizations orgs;
    int left;
    int depth = 0;
    int deepest = 0;
    int completed = 0;
    bool all_refused = true;

    void next() {
        if (left-- == 0) {
            return;
        }
        orgs.async_delete_external_id(
            {""}, {}, [this](boost::system::error_code ec, b2b::delete_external_id_response) {
                ++depth;
                deepest = std::max(deepest, depth);
                ++completed;
                all_refused = all_refused && ec == error::empty_organization_id;
                next();
                --depth;
            });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(completion)

BOOST_AUTO_TEST_CASE(a_refused_call_completes_after_the_initiating_function_returned) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    bool returned = false;
    bool completed_after_return = false;
    int completions = 0;
    // From inside a handler on the io_context's thread: where dispatch would run inline.
    asio::post(f.ioc, [&] {
        c.organizations().async_delete_external_id(
            {""}, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response) {
                BOOST_TEST(ec == error::empty_organization_id);
                completed_after_return = returned;
                ++completions;
            });
        returned = true;
    });
    f.run_until([&] { return completions == 1; });
    BOOST_TEST(completions == 1);
    BOOST_TEST(completed_after_return);
}

BOOST_AUTO_TEST_CASE(ten_thousand_chained_refused_calls_do_not_recurse) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    refused_chain chain{c.organizations(), 10'000};
    asio::post(f.ioc, [&] { chain.next(); });
    f.run_until([&] { return chain.completed == 10'000; });
    BOOST_TEST(chain.completed == 10'000);
    BOOST_TEST(chain.all_refused);
    BOOST_TEST(chain.deepest == 1);
}

BOOST_AUTO_TEST_CASE(calls_on_a_closed_client_complete_after_the_initiating_function_returned) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    c.close();
    bool returned = false;
    bool completed_after_return = false;
    int completions = 0;
    asio::post(f.ioc, [&] {
        c.organizations().async_delete_external_id(
            {first_org}, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response) {
                BOOST_TEST(ec == error::client_closed);
                completed_after_return = returned;
                ++completions;
            });
        returned = true;
    });
    f.run_until([&] { return completions == 1; });
    BOOST_TEST(completed_after_return);
}

// With two threads, a handler that blocks its thread must leave the client free to finish
// another call on the other thread. The blocking handler waits for the second call's handler
// (bounded): if handlers ran inside the client's strand, the second call could not progress
// until the first handler returned, and the wait would time out.
BOOST_AUTO_TEST_CASE(a_slow_handler_does_not_delay_another_call) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();
    std::mutex m;
    std::condition_variable cv;
    bool second_done = false;
    bool second_ok = false;
    bool first_saw_second = false;
    bool first_ok = false;
    std::atomic<int> completions{0};

    auto work = asio::make_work_guard(f.ioc);
    std::thread a([&] { f.ioc.run(); });
    std::thread b([&] { f.ioc.run(); });
    orgs.async_delete_external_id(
        {first_org}, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response) {
            first_ok = !ec;  // asserted on the main thread: Boost.Test is not thread-safe
            orgs.async_delete_external_id(
                {first_org}, {},
                [&](boost::system::error_code ec2, b2b::delete_external_id_response) {
                    std::lock_guard lock(m);
                    second_done = true;
                    second_ok = !ec2;
                    cv.notify_all();
                    ++completions;
                });
            std::unique_lock lock(m);
            first_saw_second =
                cv.wait_for(lock, std::chrono::seconds(10), [&] { return second_done; });
            ++completions;
        });
    BOOST_TEST(
        stytch::test::eventually([&] { return completions == 2; }, std::chrono::seconds(30)));
    work.reset();
    c.close();
    a.join();
    b.join();
    BOOST_TEST(first_ok);
    BOOST_TEST(first_saw_second);
    BOOST_TEST(second_ok);
}

BOOST_AUTO_TEST_SUITE_END()
