// The open-loop scheduler: a timer per due time, a cap on calls in flight.

#include "open_loop.hpp"

#include <algorithm>

namespace bench {

double open_loop_result::sent_per_second() const {
    const double span = std::chrono::duration<double>(last_start - start).count();
    return started > 1 && span > 0 ? static_cast<double>(started - 1) / span : 0.0;
}

open_loop::open_loop(boost::asio::any_io_executor executor, double rate, std::uint64_t calls,
                     std::size_t max_in_flight, start_fn start_call)
    : timer_(std::move(executor)),
      rate_(rate),
      calls_(calls),
      max_in_flight_(std::max<std::size_t>(max_in_flight, 1)),
      start_call_(std::move(start_call)) {}

clock_type::time_point open_loop::due(std::uint64_t i) const {
    const std::chrono::duration<double> offset(static_cast<double>(i) / rate_);
    return result_.start + std::chrono::duration_cast<clock_type::duration>(offset);
}

void open_loop::run(std::function<void()> on_finished) {
    on_finished_ = std::move(on_finished);
    result_.start = clock_type::now();
    result_.latency_us.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(calls_, 1 << 24)));
    if (calls_ == 0) {
        result_.end = result_.start;
        on_finished_();
        return;
    }
    on_timer();
}

void open_loop::on_timer() {
    const auto now = clock_type::now();
    std::vector<std::uint64_t> to_start;
    {
        const std::lock_guard lock(mutex_);
        // Every call due by now starts now, however many are in flight, up to the cap; the
        // ones beyond it are started by completions (late starts).
        while (next_ < calls_ && due(next_) <= now && in_flight_ < max_in_flight_) {
            to_start.push_back(next_++);
            ++in_flight_;
        }
        if (next_ < calls_) {
            // While the cap holds calls back, completions start them; the timer still wakes at
            // each later due time.
            timer_.expires_at(std::max(due(next_), now));
            timer_.async_wait([this](boost::system::error_code ec) {
                if (!ec) {
                    on_timer();
                }
            });
        }
    }
    for (const auto i : to_start) {
        launch(i, false);
    }
}

void open_loop::launch(std::uint64_t i, bool late) {
    const auto due_at = due(i);
    const auto lag = clock_type::now() - due_at;
    {
        const std::lock_guard lock(mutex_);
        ++result_.started;
        result_.late_starts += late ? 1 : 0;
        result_.last_start = clock_type::now();
        const auto lag_us = std::chrono::duration_cast<std::chrono::microseconds>(lag).count();
        result_.max_start_lag_us =
            std::max<std::uint64_t>(result_.max_start_lag_us, lag_us > 0 ? lag_us : 0);
    }
    start_call_([this, due_at](std::string_view error) { complete(due_at, error); });
}

void open_loop::complete(clock_type::time_point due_at, std::string_view error) {
    const auto now = clock_type::now();
    std::uint64_t held = calls_;  // a call the cap held back, due by now: starts in our place
    bool finished = false;
    {
        const std::lock_guard lock(mutex_);
        ++result_.completed;
        if (!error.empty()) {
            ++result_.errors;
            if (result_.first_error.empty()) {
                result_.first_error = error;
            }
        } else {
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - due_at);
            result_.latency_us.push_back(
                static_cast<std::uint32_t>(std::clamp<std::int64_t>(us.count(), 0, UINT32_MAX)));
        }
        if (in_flight_ >= max_in_flight_ && next_ < calls_ && due(next_) <= now) {
            held = next_++;  // in_flight_ stays: this call's slot passes to it
        } else {
            --in_flight_;
        }
        if (result_.completed == calls_) {
            result_.end = now;
            finished = true;
        }
    }
    if (held != calls_) {
        launch(held, true);
    }
    if (finished) {
        on_finished_();
    }
}

}  // namespace bench
