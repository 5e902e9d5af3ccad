#include "report.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>

namespace stytch::cli {
namespace {

std::string milliseconds_text(std::chrono::microseconds us) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(us.count()) / 1000.0);
    return text;
}

// What made the client try again after `previous`.
std::string retry_reason(const attempt_info& previous) {
    if (previous.http_status != 0) {
        return "HTTP " + std::to_string(previous.http_status);
    }
    return previous.result.message();
}

bool is_untrusted_certificate(const boost::system::error_code& ec) {
    return ec.category() == boost::asio::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
               SSL_R_CERTIFICATE_VERIFY_FAILED;
}

}  // namespace

std::string describe(const boost::system::error_code& ec) {
    return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

std::string call_trace::phase_text(attempt_phase phase) const {
    switch (phase) {
        case attempt_phase::waiting_for_connection:
            return "waiting for a connection to " + host_port_;
        case attempt_phase::connecting:
            return "connecting to " + host_port_ +
                   (cfg_.proxy.empty() ? ""
                                       : " (through the proxy of https_proxy, unless no_proxy "
                                         "names the host)");
        case attempt_phase::tls_handshake:
            return "during the TLS handshake with " + host_port_;
        case attempt_phase::exchanging:
            return "waiting for the answer of " + host_port_;
    }
    return host_port_;
}

std::string call_trace::record(const attempt_info& info) {
    std::string line = "attempt " + std::to_string(info.attempt);
    if (last_ && last_->attempt == info.attempt) {
        line += " (again: the pooled connection had been closed by the server)";
    } else if (last_) {
        line += " (retry after " + retry_reason(*last_) + ")";
    }
    line += ": ";
    if (info.http_status != 0) {
        line += "HTTP " + std::to_string(info.http_status);
    } else {
        line += "failed " + phase_text(info.phase);
    }
    line += " in " + milliseconds_text(info.latency);
    line += info.reused_connection ? " on a reused connection" : " on a new connection";
    if (info.result) {
        line += ": " + describe(info.result);
    }
    last_ = info;
    return line;
}

std::string call_trace::failure_reason(const boost::system::error_code& ec,
                                       const api_error& details,
                                       std::chrono::steady_clock::duration elapsed) const {
    const std::string attempts =
        last_ && last_->attempt > 1 ? " (" + std::to_string(last_->attempt) + " attempts)" : "";
    if (ec == condition::decode_error) {
        std::string reason = "the answer of " + host_port_ + " does not decode: " + describe(ec);
        if (!details.decode_path.empty()) {
            reason += " at " + details.decode_path;
        }
        return reason;
    }
    if (ec == error::proxy_refused) {
        return "the HTTPS proxy of https_proxy refused the CONNECT request to " + host_port_ +
               " with status " + std::to_string(details.status_code) + " [" + ec.category().name() +
               ":" + std::to_string(ec.value()) + "]";
    }
    // The attempt that ended with `ec`; none when the deadline passed between attempts.
    const bool ended_in_attempt = last_ && last_->result == ec;
    const std::string where = ended_in_attempt ? phase_text(last_->phase)
                              : last_          ? "waiting to retry " + host_port_
                                               : "before reaching " + host_port_;
    if (ec == boost::asio::error::timed_out) {
        const bool deadline = elapsed >= cfg_.request_timeout;
        return "timed out " + where + ": " +
               (deadline ? "the deadline of " + std::to_string(cfg_.request_timeout.count()) +
                               " ms passed (STYTCH_TIMEOUT_MS)"
                         : "the connect timeout of " +
                               std::to_string(cfg_.connect_timeout.count()) + " ms passed") +
               attempts;
    }
    std::string reason = "failed " + where + ": " + describe(ec) + attempts;
    if (is_untrusted_certificate(ec)) {
        reason +=
            "; the server's certificate did not verify (an unknown CA, or issued for another "
            "host name): if it comes from a private or test CA, set STYTCH_CA_FILE to that CA's "
            "certificate (PEM)";
    }
    return reason;
}

}  // namespace stytch::cli
