// Exports a client's stats() to Prometheus with prometheus-cpp: a Collectable that takes one
// snapshot per scrape, so every figure on a /metrics page comes from the same instant.
// Makes CALLS calls for ORG_ID, prints the /metrics URL, then serves it until SIGINT/SIGTERM.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_prometheus_exporter ORG_ID CALLS
// [BIND_ADDRESS] (default 127.0.0.1:0, an ephemeral port; optional: STYTCH_BASE_URL,
// STYTCH_CA_FILE).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

namespace asio = boost::asio;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

/// Reads the client's stats() at each scrape. Thread-safe: stats() is.
class stytch_collector : public prometheus::Collectable {
  public:
    explicit stytch_collector(const stytch::client& c) : client_(c) {}

    std::vector<MetricFamily> Collect() const override {
        const stytch::client_stats s = client_.stats();
        std::vector<MetricFamily> out;
        auto gauge = [&](const char* name, const char* help, double v) {
            out.push_back({name, help, MetricType::Gauge, {}});
            out.back().metric.emplace_back().gauge.value = v;
        };
        // A counter family; `add` appends one labelled value to the last one.
        auto counter = [&](const char* name, const char* help) {
            out.push_back({name, help, MetricType::Counter, {}});
        };
        auto add = [&](double v, const char* label = nullptr, const char* value = nullptr) {
            auto& m = out.back().metric.emplace_back();
            m.counter.value = v;
            if (label) {
                m.label.push_back({label, value});
            }
        };

        gauge("stytch_connections_open", "Connections open: idle, in use or being opened.",
              double(s.connections_open));
        gauge("stytch_connections_idle", "Connections idle in the pool.",
              double(s.connections_idle));
        gauge("stytch_connections_busy", "Connections in use or being opened.",
              double(s.connections_busy));
        gauge("stytch_calls_in_flight", "Calls started and not completed.",
              double(s.calls_in_flight));
        gauge("stytch_calls_waiting", "Calls queued for a connection.", double(s.calls_waiting));

        counter("stytch_calls_started_total", "Calls started.");
        add(double(s.calls_started));
        counter("stytch_calls_completed_total", "Calls completed, by result.");
        const auto& f = s.calls_failed;
        add(double(s.calls_succeeded), "result", "success");
        add(double(f.invalid_request), "result", "invalid_request");
        add(double(f.api_error), "result", "api_error");
        add(double(f.decode_error), "result", "decode_error");
        add(double(f.protocol_error), "result", "protocol_error");
        add(double(f.proxy_error), "result", "proxy_error");
        add(double(f.timed_out), "result", "timed_out");
        add(double(f.cancelled), "result", "cancelled");
        add(double(f.client_closed), "result", "client_closed");
        add(double(f.transport), "result", "transport");
        counter("stytch_attempts_total", "Attempts made.");
        add(double(s.attempts));
        counter("stytch_retries_total", "Attempts followed by another, by reason.");
        add(double(s.retries.status), "reason", "status");
        add(double(s.retries.transport), "reason", "transport");
        add(double(s.retries.stale_connection), "reason", "stale_connection");
        add(double(s.retries.not_processed), "reason", "not_processed");
        add(double(s.retries.out_of_step), "reason", "out_of_step");
        counter("stytch_connections_opened_total", "Connections opened.");
        add(double(s.connections_opened));
        counter("stytch_connections_reused_total", "Open connections given to an attempt.");
        add(double(s.connections_reused));
        counter("stytch_connections_discarded_total", "Connections closed, by reason.");
        const auto& d = s.connections_discarded;
        add(double(d.idle_timeout), "reason", "idle_timeout");
        add(double(d.not_reusable), "reason", "not_reusable");
        add(double(d.stale), "reason", "stale");
        add(double(d.open_failed), "reason", "open_failed");
        add(double(d.interrupted), "reason", "interrupted");
        add(double(d.client_closed), "reason", "client_closed");
        add(double(d.out_of_step), "reason", "out_of_step");

        out.push_back(histogram("stytch_call_duration_seconds",
                                "Call latency, from start to completion.", s.call_latency));
        out.push_back(histogram("stytch_connection_wait_seconds",
                                "Time a call waited for a connection.", s.connection_wait));
        return out;
    }

  private:
    static MetricFamily histogram(const char* name, const char* help,
                                  const stytch::latency_histogram& h) {
        MetricFamily family{name, help, MetricType::Histogram, {}};
        auto& m = family.metric.emplace_back().histogram;
        // 2689 fine buckets would be 2689 series: export power-of-two bounds from 1 µs to
        // about 134 s, where count_below() is exact (latencies are truncated to whole
        // microseconds, so one below 2^j µs is one of at most 2^j µs).
        for (int j = 0; j <= 27; ++j) {
            const std::chrono::microseconds bound(std::int64_t{1} << j);
            m.bucket.push_back({h.count_below(bound), double(bound.count()) / 1e6});
        }
        m.sample_count = h.count();
        m.bucket.push_back({m.sample_count, std::numeric_limits<double>::infinity()});
        m.sample_sum = double(h.sum_us) / 1e6;
        return family;
    }

    const stytch::client& client_;
};

asio::awaitable<void> make_calls(stytch::client& client, std::string id, int calls) {
    int ok = 0;
    for (int i = 0; i < calls; ++i) {
        auto result = co_await client.organizations().async_delete_external_id(
            {id}, {}, stytch::as_result(asio::use_awaitable));
        ok += result.has_value() ? 1 : 0;
    }
    std::cout << "made " << calls << " calls, " << ok << " succeeded" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::cerr << "usage: example_prometheus_exporter ORG_ID CALLS [BIND_ADDRESS]\n";
        return 2;
    }
    const int calls = std::atoi(argv[2]);
    try {
        asio::io_context ioc;
        stytch::client client(ioc.get_executor(), config_from_environment());
        auto collector = std::make_shared<stytch_collector>(client);
        prometheus::Exposer exposer(argc == 4 ? argv[3] : "127.0.0.1:0");
        exposer.RegisterCollectable(collector);

        asio::co_spawn(ioc, make_calls(client, argv[1], calls), [&](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
            std::cout << "metrics at http://127.0.0.1:" << exposer.GetListeningPorts().at(0)
                      << "/metrics" << std::endl;
        });
        // A service would run forever; this one until it is told to stop.
        asio::signal_set stop(ioc, SIGINT, SIGTERM);
        stop.async_wait([&](boost::system::error_code, int) { client.close(); });
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
