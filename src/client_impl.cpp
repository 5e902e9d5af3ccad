#include "client_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include "codec/response_decoder.hpp"
#include "net/tls_context.hpp"

namespace stytch::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

endpoint checked_endpoint(const client_config& cfg) {
    if (auto ec = cfg.validate()) {
        BOOST_THROW_EXCEPTION(boost::system::system_error(ec, "stytch::client_config"));
    }
    auto url = cfg.base_url.empty() ? default_base_url(cfg.project_id)
                                    : std::string_view(cfg.base_url);
    return parse_base_url(url).value();
}
}  // namespace

// One call in flight. Shared between the coroutine, its watchdog and a cancellation slot.
struct client_impl::call {
    call(const asio::any_io_executor& strand,
         asio::any_completion_handler<b2b::delete_external_id_signature> h, api_error* d,
         const asio::any_io_executor& default_ex)
        : handler(std::move(h)),
          work(asio::get_associated_executor(handler, default_ex)),
          diag(d),
          timer(strand) {}

    /// Ends whatever the call is waiting for; the coroutine then reports `reason`.
    void abort(error_code reason) {
        if (abort_reason) {
            return;
        }
        abort_reason = reason;
        if (waiting) {
            timer.cancel();
        }
        if (io) {
            io->close();
        }
    }

    asio::any_completion_handler<b2b::delete_external_id_signature> handler;
    asio::executor_work_guard<asio::any_completion_executor> work;  // keeps the handler's executor busy
    api_error* diag;
    std::string request;       // encoded bytes
    error_code invalid;        // validation failure: nothing is sent
    clock::time_point deadline;
    asio::steady_timer timer;  // pool wait, then the watchdog for connect and exchange
    unsigned watchdog_generation = 0;
    error_code abort_reason;
    bool waiting = false;         // waiting on `timer` for a connection
    connection* io = nullptr;     // the connection doing I/O for this call
    std::list<call*>::iterator position;
};

struct client_impl::outcome {
    outcome() = default;
    outcome(error_code e) : ec(e) {}

    error_code ec;
    b2b::delete_external_id_response response;
    api_error details;
};

client_impl::client_impl(asio::any_io_executor ex, client_config cfg)
    : ex_(std::move(ex)),
      strand_(asio::make_strand(ex_)),
      cfg_(std::move(cfg)),
      endpoint_(checked_endpoint(cfg_)),
      encoder_(endpoint_, cfg_.project_id, cfg_.secret, cfg_.user_agent),
      tls_(make_tls_context(cfg_)),
      pool_(strand_, cfg_.max_connections, cfg_.idle_timeout) {}

void client_impl::start(asio::any_completion_handler<b2b::delete_external_id_signature> handler,
                        const b2b::delete_external_id_request& request,
                        const b2b::delete_external_id_options& options, api_error* diag) {
    auto c = std::make_shared<call>(strand_, std::move(handler), diag, ex_);
    c->invalid = encoder_.encode_delete_external_id(request, options, c->request);
    c->deadline = clock::now() + cfg_.request_timeout;

    auto slot = asio::get_associated_cancellation_slot(c->handler);
    if (slot.is_connected()) {
        slot.assign([weak = std::weak_ptr<call>(c), strand = strand_](asio::cancellation_type) {
            asio::dispatch(strand, [weak] {
                if (auto c = weak.lock()) {
                    c->abort(asio::error::operation_aborted);
                }
            });
        });
    }

    asio::co_spawn(strand_, run(c),
                   [self = shared_from_this(), c](std::exception_ptr e, outcome o) {
                       if (e) {
                           // Only allocation failure can get here; report it, never throw
                           // out of the caller's io_context.
                           o = outcome(make_error_code(boost::system::errc::not_enough_memory));
                       }
                       self->complete(*c, std::move(o));
                   });
}

asio::awaitable<client_impl::outcome> client_impl::run(std::shared_ptr<call> c) {
    if (c->invalid) {
        co_return outcome{c->invalid};
    }
    if (closed_) {
        co_return outcome{error::client_closed};
    }
    c->position = calls_.insert(calls_.end(), c.get());
    outcome o;
    // A pooled connection the server closed while idle fails before any byte of an answer;
    // retry at once on another. Bounded: each try discards one connection.
    for (std::size_t tries = 0; tries <= cfg_.max_connections; ++tries) {
        bool retry_stale = false;
        o = co_await attempt(c, retry_stale);
        if (!retry_stale) {
            break;
        }
    }
    calls_.erase(c->position);
    co_return o;
}

asio::awaitable<client_impl::outcome> client_impl::attempt(const std::shared_ptr<call>& c,
                                                           bool& retry_stale) {
    pool_waiter waiter(c->timer);
    if (!pool_.try_acquire(waiter)) {
        if (pool_.closed()) {
            co_return outcome{error::client_closed};
        }
        ++c->watchdog_generation;  // the timer now serves the wait, not a watchdog
        c->timer.expires_at(c->deadline);
        c->waiting = true;
        co_await c->timer.async_wait(use_tuple);
        c->waiting = false;
        if (c->abort_reason || !waiter.has_grant() || clock::now() >= c->deadline) {
            pool_.leave(waiter);
            co_return outcome{c->abort_reason ? c->abort_reason : error_code(asio::error::timed_out)};
        }
    }

    std::unique_ptr<connection> conn = std::move(waiter.granted);
    if (!conn) {
        waiter.may_open = false;  // the new connection holds the pool slot from here on
        conn = std::make_unique<connection>(strand_, tls_);
        arm_watchdog(c, std::min(c->deadline, clock::now() + cfg_.connect_timeout));
        c->io = conn.get();
        auto ec = co_await conn->async_open(endpoint_);
        c->io = nullptr;
        if (ec || c->abort_reason) {
            conn->close();
            pool_.release(std::move(conn));
            co_return outcome{c->abort_reason ? c->abort_reason : ec};
        }
    }

    arm_watchdog(c, c->deadline);
    c->io = conn.get();
    http_answer answer;
    auto ec = co_await conn->async_exchange(c->request, cfg_.max_response_body, answer);
    c->io = nullptr;
    ++c->watchdog_generation;
    c->timer.cancel();
    if (c->abort_reason) {
        conn->close();
        pool_.release(std::move(conn));
        co_return outcome{c->abort_reason};
    }
    retry_stale = ec && conn->failed_stale();
    pool_.release(std::move(conn));
    if (ec) {
        co_return outcome{ec};
    }

    outcome o;
    if (answer.status >= 200 && answer.status < 300) {
        o.ec = decode_delete_external_id(answer.status, answer.body, o.response);
    } else {
        o.ec = decode_api_error(answer.status, answer.body, o.details);
    }
    co_return o;
}

void client_impl::arm_watchdog(const std::shared_ptr<call>& c, clock::time_point at) {
    unsigned generation = ++c->watchdog_generation;
    c->timer.expires_at(at);
    c->timer.async_wait([c, generation](error_code ec) {
        if (!ec && generation == c->watchdog_generation) {
            c->abort(asio::error::timed_out);
        }
    });
}

void client_impl::complete(call& c, outcome&& o) {
    auto slot = asio::get_associated_cancellation_slot(c.handler);
    if (slot.is_connected()) {
        slot.clear();
    }
    if (c.diag) {
        *c.diag = std::move(o.details);
    }
    if (o.ec) {
        o.response = {};
    }
    auto ex = c.work.get_executor();
    asio::dispatch(ex, [h = std::move(c.handler), ec = o.ec, r = std::move(o.response)]() mutable {
        std::move(h)(ec, std::move(r));
    });
    c.work.reset();
}

void client_impl::close() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->close_on_strand(); });
}

void client_impl::close_on_strand() {
    if (closed_) {
        return;
    }
    closed_ = true;
    pool_.close();
    for (call* c : calls_) {
        c->abort(error::client_closed);
    }
}

}  // namespace stytch::detail
