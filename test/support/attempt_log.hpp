#pragma once

// Collects every `on_attempt` record of a client, with the time each was made.

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <stytch/config.hpp>

namespace stytch::test {

using steady = std::chrono::steady_clock;

/// Records every `on_attempt` call; safe from any thread, and outlives the client it watches.
class attempt_log {
  public:
    struct entry {
        attempt_info info;
        steady::time_point at;  ///< end of the attempt (when the hook ran)
        steady::time_point started() const { return at - info.latency; }
    };

    /// Sets `cfg.on_attempt` to record into this log.
    void attach(client_config& cfg);
    std::vector<entry> entries() const;
    std::size_t size() const;
    void clear();

  private:
    struct shared {
        std::mutex mutex;
        std::vector<entry> entries;
    };
    std::shared_ptr<shared> state_ = std::make_shared<shared>();
};

}  // namespace stytch::test
