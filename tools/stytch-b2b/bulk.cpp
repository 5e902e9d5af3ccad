#include "bulk.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <deque>
#include <list>

#include <stytch/stytch.hpp>

#include "progress.hpp"
#include "rate_gate.hpp"
#include "report.hpp"

namespace stytch::cli {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

// A call the client gave up on with a 429 (its own retries spent) goes back to the queue this
// many times, each after the shared pause, before it is reported as failed.
constexpr std::size_t max_rate_limited_rounds = 5;
constexpr auto progress_interval = std::chrono::milliseconds(250);

// The JSON line of a failed call: the API's answer when there was one, else the error.
boost::json::object failure_line(const std::string& id, const failure& f) {
    boost::json::object line{{"id", id}, {"status", "error"}};
    const auto& [ec, details] = f;
    if (ec == condition::api_error) {
        line["status_code"] = details.status_code;
        if (!details.request_id.empty()) {
            line["request_id"] = details.request_id;
        }
        line["error_type"] = details.error_type;
        line["error"] = details.error_message.empty() ? ec.message() : details.error_message;
        return line;
    }
    std::string message = describe(ec);
    if (!details.decode_path.empty()) {
        message += " at " + details.decode_path;
    }
    line["error"] = message;
    return line;
}

// Everything runs on one thread (the io_context's), the client's hooks included: no locks.
class runner {
  public:
    runner(asio::io_context& ioc, const bulk_options& options, std::ostream& out, std::ostream& err)
        : ioc_(ioc),
          options_(options),
          out_(out),
          err_(err),
          gate_(options.first_pause),
          signals_(ioc, SIGINT, SIGTERM),
          progress_timer_(ioc) {
        tally_.total = options.ids.size();
        tally_.skipped = options.skipped;
        for (std::size_t i = 0; i < options.ids.size(); ++i) {
            queue_.push_back(i);
        }
        rounds_.resize(options.ids.size());
    }

    void on_attempt(const attempt_info& info) {
        if (info.http_status == 429) {
            gate_.rate_limited(clock::now(), info.retry_after);
        } else if (info.http_status >= 200 && info.http_status < 300) {
            gate_.succeeded(clock::now());
        }
    }

    int run(client& c) {
        client_ = &c;
        started_ = clock::now();
        const std::size_t workers = std::min(options_.concurrency, queue_.size());
        for (std::size_t i = 0; i < workers; ++i) {
            auto& timer = timers_.emplace_back(ioc_);
            ++workers_running_;
            asio::co_spawn(ioc_, worker(timer), asio::detached);
        }
        wait_for_signal();
        if (options_.progress) {
            draw_progress();
        }
        if (workers == 0) {
            finish();
        }
        ioc_.run();
        err_ << "stytch-b2b: "
             << summary_line(tally_, clock::now() - started_, gate_.answers_429(), interrupted_)
             << '\n';
        return tally_.succeeded == tally_.total ? 0 : 1;
    }

  private:
    asio::awaitable<void> worker(asio::steady_timer& timer) {
        while (!stopping_ && !queue_.empty()) {
            // The gate may move while we wait (another 429): check it again after each wait.
            while (!stopping_ && clock::now() < gate_.open_at()) {
                timer.expires_at(gate_.open_at());
                co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            if (stopping_ || queue_.empty()) {
                break;
            }
            const std::size_t index = queue_.front();
            queue_.pop_front();
            const id_entry& entry = options_.ids[index];
            if (!entry.invalid.empty()) {
                write({{"id", entry.id},
                       {"status", "error"},
                       {"error_type", "invalid_id"},
                       {"error", entry.invalid + " (line " + std::to_string(entry.line) + ")"}},
                      false);
                continue;
            }
            auto r = co_await client_->organizations().async_delete_external_id(
                {entry.id},
                {.session_token = options_.session_token, .session_jwt = options_.session_jwt},
                as_result(asio::use_awaitable));
            if (!r && r.error().code == error::too_many_requests && !stopping_ &&
                ++rounds_[index] < max_rate_limited_rounds) {
                queue_.push_back(index);  // after the pause the 429 started
                continue;
            }
            if (r) {
                write({{"id", entry.id}, {"status", "success"}, {"request_id", r->request_id}},
                      true);
            } else {
                write(failure_line(entry.id, r.error()), false);
            }
        }
        if (--workers_running_ == 0) {
            finish();
        }
    }

    // Flushed line by line: the output is the resume file of an interrupted run.
    void write(const boost::json::object& line, bool succeeded) {
        ++(succeeded ? tally_.succeeded : tally_.failed);
        out_ << boost::json::serialize(line) << '\n' << std::flush;
    }

    void wait_for_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            if (!stopping_) {
                stopping_ = true;
                interrupted_ = true;
                for (auto& t : timers_) {
                    t.cancel();
                }
                clear_progress();
                err_ << "stytch-b2b: interrupted: letting the calls in flight finish (again to "
                        "abort them)\n";
                wait_for_signal();
            } else {
                client_->close();  // calls in flight end with client_closed
            }
        });
    }

    void draw_progress() {
        err_ << '\r'
             << progress_line(tally_, clock::now() - started_, clock::now() < gate_.open_at())
             << "\x1b[K" << std::flush;
        progress_timer_.expires_after(progress_interval);
        progress_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !finished_) {
                draw_progress();
            }
        });
    }

    void clear_progress() {
        if (options_.progress) {
            err_ << "\r\x1b[K" << std::flush;
        }
    }

    void finish() {
        finished_ = true;
        signals_.cancel();
        progress_timer_.cancel();
        clear_progress();
        client_->close();
    }

    asio::io_context& ioc_;
    const bulk_options& options_;
    std::ostream& out_;
    std::ostream& err_;
    rate_gate gate_;
    asio::signal_set signals_;
    asio::steady_timer progress_timer_;
    std::list<asio::steady_timer> timers_;  // one per worker, for its waits at the gate
    std::deque<std::size_t> queue_;         // indices into options_.ids
    std::vector<std::size_t> rounds_;       // 429 rounds per id
    client* client_ = nullptr;
    tally tally_;
    clock::time_point started_;
    std::size_t workers_running_ = 0;
    bool stopping_ = false;
    bool interrupted_ = false;
    bool finished_ = false;
};

}  // namespace

int run_bulk(client_config cfg, const bulk_options& options, std::ostream& out, std::ostream& err) {
    asio::io_context ioc;
    runner r(ioc, options, out, err);
    cfg.max_connections = std::max<std::size_t>(1, options.concurrency);
    cfg.on_attempt = [&r](const attempt_info& info) { r.on_attempt(info); };
    client c(ioc.get_executor(), cfg);
    return r.run(c);
}

}  // namespace stytch::cli
