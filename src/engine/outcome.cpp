#include "engine/outcome.hpp"

#include <string>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "codec/response_decoder.hpp"
#include "engine/answer_owner.hpp"
#include "engine/retry_rules.hpp"

namespace stytch::detail {

outcome judge_open_failure(boost::system::error_code ec, int proxy_status, bool reached_handshake,
                           std::string_view proxy) {
    outcome o{ec};
    o.phase = reached_handshake ? attempt_phase::tls_handshake : attempt_phase::connecting;
    o.open_failed = true;
    if (ec == boost::asio::error::timed_out || is_transient_connect_error(ec)) {
        o.verdict = verdict::retry;
    }
    if (ec == error::proxy_refused) {
        api_error& d = o.fill_details();
        o.http_status = d.status_code = proxy_status;
        d.error_message = "proxy " + std::string(proxy) + " answered " +
                          std::to_string(proxy_status) + " to CONNECT";
    } else if (!proxy.empty() && (!reached_handshake || ec == error::proxy_tunnel_failed)) {
        // An operator's first question: which hop failed, ours or the API's.
        o.fill_details().error_message = "proxy " + std::string(proxy) + ": " + ec.message();
    }
    return o;
}

outcome judge_exchange_failure(boost::system::error_code ec, bool reused, bool silent) {
    outcome o{ec};
    o.reused = reused;
    if (silent && reused) {
        o.verdict = verdict::replace;
    } else if (silent && ec.category() != boost::asio::error::get_ssl_category()) {
        // A TLS alert before the request (a refused client certificate, say) is final.
        o.verdict = verdict::retry;
    }
    return o;
}

outcome judge_answer(const http_answer& a, bool reused, b2b::delete_external_id_response& into,
                     const client_config& cfg, std::string_view requested) {
    outcome o;
    o.reused = reused;
    o.http_status = a.status;
    if (reused && a.status == 408) {
        // A server's keep-alive timeout racing our request on a pooled connection: the 408
        // answers the silence before it, not this call, which goes on over a new connection.
        o.ec = boost::beast::http::error::end_of_stream;
        o.verdict = verdict::replace;
    } else if (a.status >= 200 && a.status < 300) {
        std::string failure_path;
        o.ec = decode_delete_external_id(a.status, a.body, into, cfg.max_json_depth, &failure_path);
        if (o.ec) {
            o.fill_details().decode_path = std::move(failure_path);
        } else if (owner_of(into.organization, requested) == answer_owner::another) {
            o.ec = error::answer_for_another_organization;
            o.verdict = verdict::resend;
            api_error& d = o.fill_details();
            d.status_code = a.status;
            d.request_id = std::move(into.request_id);
            into = {};  // a next attempt decodes into a clean response
        }
    } else {
        o.ec = decode_api_error(a.status, a.body, o.fill_details(), cfg.max_json_depth);
        if (is_retryable_status(a.status, cfg.retry)) {
            o.verdict = verdict::retry;
            o.retry_after = a.retry_after;
        }
    }
    return o;
}

outcome judge_stream(const h2_result& r, bool reused, boost::system::error_code lost,
                     b2b::delete_external_id_response& into, const client_config& cfg,
                     std::string_view requested) {
    namespace http = boost::beast::http;
    outcome o;
    switch (r.outcome) {
        case h2_outcome::answered:
            o = judge_answer(http_answer{r.status, r.body, r.retry_after}, false, into, cfg,
                             requested);
            if (o.verdict == verdict::resend) {
                o.verdict = verdict::final;  // the server's own answer on this call's stream
            }
            break;
        case h2_outcome::refused:
        case h2_outcome::not_processed:
            o.ec = error::http2_stream_refused;
            o.verdict = verdict::requeue_refused;
            o.unsent = true;
            break;
        case h2_outcome::reset:
            o.ec = error::http2_stream_reset;
            o.fill_details().error_type = h2_error_name(r.error_code);
            break;
        case h2_outcome::protocol_error:
            o.ec = error::http2_protocol_error;
            o.fill_details().error_type = h2_error_name(r.error_code);
            o.details->error_message = r.reason;
            break;
        case h2_outcome::header_list_too_large:
            o.ec = http::error::header_limit;
            break;
        case h2_outcome::body_too_large:
            o.ec = http::error::body_limit;
            break;
        case h2_outcome::cancelled:
            o.ec = boost::asio::error::operation_aborted;
            break;
        case h2_outcome::connection_error:
            if (lost == error::http2_protocol_error) {
                // The server broke the connection: like a transport failure, retried when no
                // answer had begun on this stream (the DELETE is idempotent).
                o.ec = lost;
                o.verdict = r.answer_started ? verdict::final : verdict::retry;
                o.fill_details().error_type = h2_error_name(r.error_code);
                o.details->error_message = r.reason;
            } else {  // closed, reset, or timed out (a PING without answer)
                o = judge_exchange_failure(lost, reused, !r.answer_started);
                if (o.verdict == verdict::replace) {
                    o.verdict = verdict::requeue_stale;  // a shared connection: ask the pool again
                }
            }
            break;
    }
    o.reused = reused;
    return o;
}

}  // namespace stytch::detail
