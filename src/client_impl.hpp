#pragma once

// The shared state behind a client: configuration, TLS context, request encoder, the pool,
// and the calls in flight. Everything after construction runs on one strand.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <random>

#include <stytch/b2b/organizations.hpp>
#include <stytch/config.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"
#include "net/connection_pool.hpp"

namespace stytch::detail {

class client_impl : public std::enable_shared_from_this<client_impl> {
  public:
    /// @throws boost::system::system_error for an invalid configuration or CA file.
    static std::shared_ptr<client_impl> create(boost::asio::any_io_executor ex, client_config cfg);

    client_impl(boost::asio::any_io_executor ex, client_config cfg);  // use create()

    const boost::asio::any_io_executor& get_executor() const noexcept { return ex_; }
    const client_config& config() const noexcept { return cfg_; }

    /// Starts one DeleteExternalId call. Thread-safe.
    void start(boost::asio::any_completion_handler<b2b::delete_external_id_signature> handler,
               const b2b::delete_external_id_request& request,
               const b2b::delete_external_id_options& options, api_error* diag);

    /// See client::close(). Thread-safe.
    void close();

  private:
    struct call;
    struct outcome;

    boost::asio::awaitable<outcome> run(std::shared_ptr<call> c);
    boost::asio::awaitable<outcome> attempt(const std::shared_ptr<call>& c);
    boost::asio::awaitable<void> sleep(const std::shared_ptr<call>& c,
                                       std::chrono::steady_clock::time_point until);
    std::chrono::milliseconds retry_delay(std::size_t attempt, const outcome& o);
    void report(std::size_t attempt, const outcome& o, std::chrono::steady_clock::duration took);
    void arm_watchdog(const std::shared_ptr<call>& c, std::chrono::steady_clock::time_point at);
    void complete(const std::shared_ptr<call>& c, outcome&& o);
    void close_on_strand();

    boost::asio::any_io_executor ex_;
    boost::asio::any_io_executor strand_;
    client_config cfg_;
    endpoint endpoint_;
    request_encoder encoder_;
    boost::asio::ssl::context tls_;
    connection_pool pool_;
    call* calls_ = nullptr;  // in flight, for close(): an intrusive list through call
    void link(call& c);
    void unlink(call& c);
    std::minstd_rand jitter_;
    bool closed_ = false;
};

}  // namespace stytch::detail
