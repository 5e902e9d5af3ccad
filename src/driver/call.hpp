#pragma once

// One call, as the engine keeps it: a small record that waits in the pool's queue and the
// deadline list, owns the caller's handler, and follows engine/call_machine.hpp. Its fields
// are guarded by the engine's mutex, except what only its current attempt touches.

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <stytch/b2b/organizations.hpp>
#include <stytch/detail/erased_completion.hpp>

#include "codec/encoded_request.hpp"
#include "codec/request_buffers.hpp"
#include "engine/call_machine.hpp"
#include "engine/intrusive_list.hpp"
#include "engine/outcome.hpp"

namespace stytch::detail {

/// Asio's cancellation type as the call machine sees it (see honours()).
constexpr cancel_request cancel_request_of(boost::asio::cancellation_type type) noexcept {
    using ct = boost::asio::cancellation_type;
    if ((type & ct::terminal) != ct::none) {
        return cancel_request::terminal;
    }
    return (type & (ct::partial | ct::total)) != ct::none ? cancel_request::interrupt
                                                          : cancel_request::none;
}

template <class Connection, class Executor>
struct call {
    using clock = std::chrono::steady_clock;
    using handler_type = erased_completion<b2b::delete_external_id_response>;
    using timer_type =
        boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, Executor>;

    call(const Executor& ex, handler_type h, api_error* d,
         const boost::asio::any_completion_executor& default_ex)
        : handler(std::move(h)), work(handler.executor(default_ex)), diag(d), executor(ex) {
        request.http1 = request_buffers::take();
    }
    call(const call&) = delete;
    call& operator=(const call&) = delete;
    ~call() { request_buffers::give(std::move(request.http1)); }

    handler_type handler;
    /// Keeps the handler's executor busy until the handler ran.
    boost::asio::executor_work_guard<boost::asio::any_completion_executor> work;
    api_error* diag;
    encoded_request request;
    b2b::delete_external_id_response response;
    clock::time_point deadline;

    call_state state = call_state::queued;
    boost::system::error_code abort_reason;  ///< why it was aborted (the first reason)
    bool written = false;                    ///< an attempt started writing the request
    std::size_t attempt = 1;
    std::size_t replaced = 0;           ///< stale pooled connections replaced
    bool resent_out_of_step = false;    ///< sent again after an answer for another organization
    std::shared_ptr<Connection> conn;   ///< the connection of the current attempt, once known
    clock::time_point attempt_started;  ///< when the pool granted the current attempt
    // For client_stats and on_call:
    clock::time_point started;      ///< when start() was called
    clock::time_point queued_at;    ///< when it last asked the pool (or started)
    clock::duration waited{};       ///< waiting for a connection, over all attempts
    std::size_t attempts_made = 0;  ///< attempts reported (on_attempt)
    bool counted = false;           ///< counted in calls_started
    outcome last;                   ///< the previous attempt's, while backing off
    Executor executor;              ///< the client's: where the backoff timer waits
    /// Made at the first backoff: constructing a timer takes the io_context's service
    /// registry mutex, which every thread shares, and few calls ever back off.
    std::optional<timer_type> backoff;

    list_hook<call> queue_hook;     ///< the pool's queue
    list_hook<call> deadline_hook;  ///< the engine's deadline list
    /// The call owns itself from start() until its completion is posted: the lists above
    /// hold plain pointers.
    std::shared_ptr<call> self;
};

}  // namespace stytch::detail
