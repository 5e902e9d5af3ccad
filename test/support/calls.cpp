#include "support/calls.hpp"

#include "support/tokens.hpp"

#include <boost/asio/ssl/error.hpp>

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
