#pragma once

// Fake connections and calls for the engine's pool and lists, and pools built from them.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "engine/connection_pool.hpp"

namespace stytch::test::engine {

using std::chrono::milliseconds;
using stytch::detail::connection_pool;
using stytch::detail::list_hook;
using stytch::detail::pool_entry;
using stytch::detail::pool_limits;
using clk = std::chrono::steady_clock;

struct fake_connection {
    bool reusable() const { return usable; }
    void close() { closed = true; }
    void retire() { closed = true; }
    void release_buffers() { trimmed = true; }
    bool shared() const { return h2; }
    bool accepting() const { return h2 && usable; }
    std::size_t capacity() const { return h2 ? max_streams : 1; }
    bool usable = true;
    bool closed = false;
    bool trimmed = false;
    bool h2 = false;
    std::size_t max_streams = 1;
    clk::time_point idle_since{};
    std::size_t streams = 0;
};

inline std::shared_ptr<fake_connection> h2_connection(std::size_t max_streams) {
    auto c = std::make_shared<fake_connection>();
    c->h2 = true;
    c->max_streams = max_streams;
    return c;
}

struct fake_call {
    explicit fake_call(int i = 0) : id(i) {}
    int id;
    clk::time_point deadline{};
    list_hook<fake_call> queue_hook;
    list_hook<fake_call> deadline_hook;
};

using pool = connection_pool<fake_connection, fake_call, &fake_call::queue_hook>;

inline pool make_pool(std::size_t max, milliseconds idle = milliseconds(1000),
                      std::size_t warm = 8) {
    return pool(pool_limits{max, idle, warm});
}

// A pool whose connections may turn out HTTP/2 (http_version automatic or http2).
inline pool probing_pool(std::size_t max) {
    return pool(pool_limits{max, milliseconds(1000), 8, true});
}

// Queues `calls` on `p` (none is granted), for a burst behind a first call.
inline void queue_all(pool& p, std::vector<fake_call>& calls, clk::time_point now) {
    for (auto& c : calls) {
        BOOST_TEST_REQUIRE(!p.request(c, now).has_value());
    }
}

}  // namespace stytch::test::engine
