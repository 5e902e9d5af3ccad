// The C++ blocks of docs/metrics.md, in context so that they compile (target docs_snippets,
// never run): scripts/check-docs fails when a block of the page is not an excerpt of this file.

#include <chrono>
#include <iostream>

#include <stytch/stytch.hpp>

namespace docs_metrics {

void print_stats(const stytch::client& client) {
    // clang-format off
    const stytch::client_stats s = client.stats();
    std::cout << s.calls_in_flight << " in flight, p99 "
              << s.call_latency.percentile(0.99).count() << " µs\n";
    // clang-format on
}

std::chrono::microseconds percentiles(const stytch::client_stats& s) {
    // clang-format off
    auto p50 = s.call_latency.percentile(0.5);
    auto p99 = s.call_latency.percentile(0.99);
    auto waited_p99 = s.connection_wait.percentile(0.99);  // high: the pool is too small
    // clang-format on
    return p50 + p99 + waited_p99;
}

void hook(stytch::client_config& cfg) {
    // clang-format off
    cfg.on_call = [](const stytch::call_info& c) {
        // c.result, c.attempts, c.latency, c.connection_wait
        if (c.result) std::clog << "failed after " << c.attempts << " attempt(s)\n";
    };
    // clang-format on
}

}  // namespace docs_metrics
