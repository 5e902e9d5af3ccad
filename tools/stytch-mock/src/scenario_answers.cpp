// What each step of a stytch-mock scenario answers, as the library's fault injection: a
// `reply` per step (Stytch-shaped errors, dropped or reset connections, cut, stray or slow
// bodies, stalls) played by an override hook, and the server options latency and GOAWAY map to.

#include "scenario.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace stytch::mock::detail {
namespace {

namespace json = boost::json;

std::string_view error_type_of(int status) {
    switch (status) {
        case 429:
            return "too_many_requests";
        case 500:
            return "internal_server_error";
        case 502:
            return "bad_gateway";
        case 503:
            return "service_unavailable";
        case 504:
            return "gateway_timeout";
        default:
            return status < 500 ? "bad_request" : "internal_server_error";
    }
}

// An error answer in Stytch's shape.
reply status_reply(const scenario_step& step, std::size_t n) {
    json::object body;
    body["status_code"] = step.status;
    body["request_id"] = "request-id-test-scenario-" + std::to_string(n);
    body["error_type"] = error_type_of(step.status);
    body["error_message"] = "Scripted by the stytch-mock scenario.";
    body["error_url"] = "https://stytch.com/docs/api/errors/" + std::to_string(step.status);
    reply r;
    r.status = step.status;
    r.body = json::serialize(body);
    if (!step.retry_after.empty()) {
        r.headers.emplace_back("Retry-After", step.retry_after);
    }
    return r;
}

// A body the client would decode if it came whole; only its length matters once it is cut.
std::string filler_body(std::size_t n) {
    std::string body = R"({"request_id":"request-id-test-scenario-)" + std::to_string(n) +
                       R"(","status_code":200,"padding":")";
    body.append(256, 'x');
    body += "\"}";
    return body;
}

reply answer_for(const scenario_step& step, std::size_t n) {
    reply r;
    switch (step.action) {
        case scenario_step::kind::normal:
            break;  // not called
        case scenario_step::kind::status:
            return status_reply(step, n);
        case scenario_step::kind::drop:
            r.action = reply::kind::close_without_answer;
            break;
        case scenario_step::kind::reset:
            r.action = reply::kind::reset_mid_answer;
            r.partial_bytes = 0;
            break;
        case scenario_step::kind::truncate:
            r.action = reply::kind::truncated_body;
            r.body = filler_body(n);
            r.partial_bytes =
                step.bytes == 0 ? r.body.size() / 2 : std::min(step.bytes, r.body.size() - 1);
            break;
        case scenario_step::kind::stray: {
            reply stray;
            stray.body = filler_body(n);
            r.action = reply::kind::script;
            r.script = {script_step::normal_answer(), script_step::write(render(stray))};
            break;
        }
        case scenario_step::kind::slow_body:
            r.action = reply::kind::script;
            r.script = {script_step::slow_answer(step.piece, step.interval)};
            break;
        case scenario_step::kind::stall:
            r.action = reply::kind::stall;
            break;
    }
    return r;
}

}  // namespace

void apply_to_options(const scenario& s, server_options& options) {
    options.answer_delay = s.latency;
    options.answer_delay_max = s.latency_max;
    options.h2_goaway_after = s.goaway_after;
}

std::function<std::optional<reply>(const recorded_request&)> make_hook(const scenario& s) {
    if (s.sequence.empty()) {
        return {};
    }
    auto counter = std::make_shared<std::atomic<std::size_t>>(0);
    return [steps = s.sequence, repeat = s.repeat,
            counter](const recorded_request&) -> std::optional<reply> {
        const std::size_t n = counter->fetch_add(1);
        if (n >= steps.size() && !repeat) {
            return std::nullopt;
        }
        const scenario_step& step = steps[n % steps.size()];
        if (step.action == scenario_step::kind::normal) {
            return std::nullopt;
        }
        return answer_for(step, n + 1);
    };
}

}  // namespace stytch::mock::detail
