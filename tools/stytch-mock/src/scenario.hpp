#pragma once

// A fault scenario for the stytch-mock executable: latency, a sequence of scripted answers and
// the HTTP/2 GOAWAY, from command-line flags or a JSON file, mapped onto the library's fault
// injection (server_options and an override hook). docs/tools.md describes the format.

#include <stytch/mock/server.hpp>

#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stytch::mock::detail {

/// What one request of the sequence gets.
struct scenario_step {
    enum class kind {
        normal,     ///< the normal handling
        status,     ///< an error answer with `status` (400 to 599), Retry-After if given
        drop,       ///< the connection is closed at once (FIN, no TLS close_notify), no answer
        reset,      ///< the connection is reset (RST), no answer
        truncate,   ///< a 200 whose body is cut after `bytes` of the announced bytes, then close
        stray,      ///< the normal answer, then a second, unsolicited one (HTTP/1.1)
        slow_body,  ///< the normal answer, its body `piece` bytes every `interval` (HTTP/1.1)
        stall,      ///< never answered
    };
    kind action = kind::normal;
    int status = 0;
    std::string retry_after;  ///< status: the Retry-After header's value; empty: none
    std::size_t bytes = 0;    ///< truncate: body bytes sent; 0: half of them
    std::size_t piece = 64;   ///< slow_body: bytes per piece
    std::chrono::milliseconds interval{50};  ///< slow_body: wait before each piece
};

/// Everything a scenario sets; the defaults change nothing.
struct scenario {
    std::chrono::milliseconds latency{0};      ///< every answer waits this long...
    std::chrono::milliseconds latency_max{0};  ///< ...or uniformly up to this, when greater
    std::vector<scenario_step> sequence;       ///< the n-th request (all connections) gets [n]
    bool repeat = false;                       ///< after the last step, start again
    std::size_t goaway_after = 0;              ///< HTTP/2: GOAWAY at a connection's n-th request
};

/// One step from its command-line token: `ok`, `STATUS`, `STATUS:RETRY_AFTER`, `drop`,
/// `reset`, `truncate[:BYTES]`, `stray`, `slow_body[:PIECE:INTERVAL_MS]`, `stall`. Throws
/// std::invalid_argument naming the token.
scenario_step parse_step(std::string_view token);

/// A comma-separated list of step tokens (`429:1,503,ok`).
std::vector<scenario_step> parse_sequence(std::string_view list);

/// `MIN:MAX` milliseconds, MIN <= MAX, into `s.latency` and `s.latency_max`.
void parse_latency_range(std::string_view text, scenario& s);

/// Merges a JSON scenario document into `s`: the members it holds replace those of `s`.
/// Throws std::invalid_argument naming the faulty member, e.g. `sequence[2].status: ...`.
void merge_scenario(const boost::json::value& document, scenario& s);

/// Sets the server options a scenario maps onto (latency, GOAWAY).
void apply_to_options(const scenario& s, server_options& options);

/// The override hook that plays `s.sequence`; empty when the sequence is.
std::function<std::optional<reply>(const recorded_request&)> make_hook(const scenario& s);

}  // namespace stytch::mock::detail
