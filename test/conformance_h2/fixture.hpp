#pragma once

// A client over HTTP/2 against a script_server, and what a script saw, for the main thread to
// assert on (Boost.Test is not thread-safe: scripts only record).

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <stytch/stytch.hpp>

#include "conformance_h2/h2_script_server.hpp"
#include "support/printers.hpp"

namespace stytch::test::h2 {

/// A moment a script marks (before it sends the bad bytes), read by the test afterwards.
class moment {
  public:
    void mark() noexcept { at_.store(clock::now().time_since_epoch().count()); }
    bool marked() const noexcept { return at_.load() != 0; }
    clock::time_point at() const noexcept { return clock::time_point(clock::duration(at_.load())); }

  private:
    std::atomic<clock::rep> at_{0};
};

/// What the client sent after the bad bytes, as a script records it.
struct seen {
    std::mutex mutex;
    std::optional<received_frame> rst;     ///< the client's RST_STREAM, if any
    std::optional<received_frame> goaway;  ///< the client's GOAWAY, if any
    bool closed = false;                   ///< the client closed the TCP connection
    clock::time_point closed_at{};

    /// Reads until the client closes (at most 5 s) and records its GOAWAY and close.
    void until_closed(peer& p);
    /// Records the client's RST_STREAM (waits for it, at most 5 s).
    void reset_of(peer& p);
};

/// What a server's scripts threw, one per line ("" when nothing).
inline std::string failures_of(const script_server& server) {
    std::string all;
    for (const auto& f : server.failures()) {
        all += f + '\n';
    }
    return all;
}

/// The outcome of one call and when it completed.
struct outcome {
    result<b2b::delete_external_id_response> r{failure{}};
    clock::time_point done{};
    milliseconds after(const moment& m) const {
        return std::chrono::duration_cast<milliseconds>(done - m.at());
    }
};

/// A client speaking HTTP/2 only to `server`, with quick retries (or none: `attempts` 1). Not
/// support/client_fixture.hpp's `client_fixture`: there is no mock here, only the script.
struct script_client {
    explicit script_client(const script_server& server, std::size_t attempts = 1);
    ~script_client();

    /// One call for the sample organization, run to completion (the client is made with
    /// `cfg` at the first call and kept: later calls may reuse its connections).
    outcome call();
    /// `n` concurrent calls with `options`, run to completion.
    std::vector<outcome> calls(std::size_t n, const b2b::delete_external_id_options& options = {});
    /// Runs the io_context (what the client does after its calls completed: writing, closing)
    /// until every script of `server` has returned; false when that took over 10 s.
    bool finish(const script_server& server);

    boost::asio::io_context ioc;
    std::string ca_file;
    client_config cfg;
    std::unique_ptr<client> c;
};

}  // namespace stytch::test::h2
