#include "support/calls.hpp"

#include "support/tokens.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ssl/error.hpp>

#include <algorithm>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace stytch::test {

client_config fast_config(const server_fixture& f) {
    auto cfg = f.config();
    cfg.retry.base_delay = std::chrono::milliseconds(1);
    cfg.retry.max_delay = std::chrono::milliseconds(4);
    cfg.request_timeout = std::chrono::seconds(5);
    cfg.connect_timeout = std::chrono::seconds(2);
    return cfg;
}

result<b2b::delete_external_id_response> call(server_fixture& f, client& c,
                                              const std::string& organization_id) {
    // A named request, not a temporary inside co_await (g++ 12, see README).
    const b2b::delete_external_id_request request{organization_id};
    return f.run(c.organizations().async_delete_external_id(request, {}, awaitable_result));
}

void start_cancellable(client& c, boost::asio::cancellation_signal& signal, completion& done) {
    c.organizations().async_delete_external_id(
        {first_org}, {}, boost::asio::bind_cancellation_slot(signal.slot(), record(done)));
}

void call_batch::start(client& c, std::size_t n, const std::string& organization_id,
                       const b2b::delete_external_id_options& options) {
    const b2b::delete_external_id_request request{organization_id};
    for (std::size_t i = 0; i < n; ++i) {
        c.organizations().async_delete_external_id(request, options, record(done.emplace_back()));
    }
}

bool call_batch::all_done() const {
    return std::all_of(done.begin(), done.end(), [](const completion& d) { return d.count > 0; });
}

bool call_batch::all_completed_once() const {
    return std::all_of(done.begin(), done.end(), [](const completion& d) { return d.count == 1; });
}

std::size_t call_batch::succeeded(const std::string& organization_id) const {
    return static_cast<std::size_t>(
        std::count_if(done.begin(), done.end(), [&](const completion& d) {
            return d.count == 1 && !d.ec && d.organization_id == organization_id;
        }));
}

bool is_verification_failure(const boost::system::error_code& ec) {
    return ec.category() == boost::asio::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
               SSL_R_CERTIFICATE_VERIFY_FAILED;
}

std::string error_body(int status, const std::string& type) {
    return "{\"status_code\":" + std::to_string(status) +
           ",\"request_id\":\"request-id-test-fault\",\"error_type\":\"" + type +
           "\",\"error_message\":\"injected\",\"error_url\":\"https://stytch.com/docs\"}";
}

void answer_status(server_fixture& f, int status, std::size_t times,
                   std::vector<std::pair<std::string, std::string>> headers, std::string type) {
    inject(f.server,
           {.status = status, .body = error_body(status, type), .headers = std::move(headers)},
           times);
}

}  // namespace stytch::test
