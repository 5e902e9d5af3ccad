#include "scenario.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace stytch::mock::detail {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// An hour, as --delay-ms has always been bounded: any longer is a typo, not a test.
constexpr std::uint64_t max_ms = 3'600'000;

std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t max) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max) {
        throw std::invalid_argument(std::string(what) + ": not a number from 0 to " +
                                    std::to_string(max) + ": '" + std::string(text) + "'");
    }
    return value;
}

int parse_status(std::string_view text, std::string_view what) {
    const auto status = parse_unsigned(text, what, 999);
    if (status < 400 || status > 599) {
        throw std::invalid_argument(std::string(what) + ": an error status is 400 to 599, not " +
                                    std::string(text));
    }
    return static_cast<int>(status);
}

// Splits "a:b:c" at ':'.
std::vector<std::string_view> fields_of(std::string_view token) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto colon = token.find(':');
        out.push_back(token.substr(0, colon));
        if (colon == std::string_view::npos) {
            return out;
        }
        token.remove_prefix(colon + 1);
    }
}

std::chrono::milliseconds to_ms(const json::value& v, std::string_view what) {
    if (const auto* i = v.if_int64(); i != nullptr && *i >= 0) {
        return std::chrono::milliseconds(parse_unsigned(std::to_string(*i), what, max_ms));
    }
    if (const auto* u = v.if_uint64()) {
        return std::chrono::milliseconds(parse_unsigned(std::to_string(*u), what, max_ms));
    }
    throw std::invalid_argument(std::string(what) + ": a whole number of milliseconds");
}

std::uint64_t to_count(const json::value& v, std::string_view what, std::uint64_t max) {
    if (const auto* i = v.if_int64(); i != nullptr && *i >= 0) {
        return parse_unsigned(std::to_string(*i), what, max);
    }
    if (const auto* u = v.if_uint64()) {
        return parse_unsigned(std::to_string(*u), what, max);
    }
    throw std::invalid_argument(std::string(what) + ": a whole number from 0 to " +
                                std::to_string(max));
}

// A step given as an object: {"status": 429, "retry_after": 1} or {"fault": "slow_body", ...}.
scenario_step step_of(const json::object& o, const std::string& where) {
    scenario_step step;
    if (const json::value* status = o.if_contains("status")) {
        step.action = scenario_step::kind::status;
        step.status = parse_status(std::to_string(to_count(*status, where + ".status", 999)),
                                   where + ".status");
        if (const json::value* ra = o.if_contains("retry_after")) {
            step.retry_after = ra->is_string() ? std::string(ra->get_string())
                                               : std::to_string(to_count(*ra, where, max_ms));
        }
        for (const auto& [key, value] : o) {
            if (key != "status" && key != "retry_after") {
                throw std::invalid_argument(where + ": unknown member '" + std::string(key) +
                                            "' of a status step");
            }
        }
        return step;
    }
    const json::value* fault = o.if_contains("fault");
    if (fault == nullptr || !fault->is_string()) {
        throw std::invalid_argument(where + ": a step object has \"status\" or \"fault\"");
    }
    step = parse_step(fault->get_string());
    for (const auto& [key, value] : o) {
        const std::string name = where + "." + std::string(key);
        if (key == "fault") {
            continue;
        } else if (key == "bytes" && step.action == scenario_step::kind::truncate) {
            step.bytes = to_count(value, name, 1 << 20);
        } else if (key == "piece" && step.action == scenario_step::kind::slow_body) {
            step.piece = std::max<std::size_t>(1, to_count(value, name, 1 << 20));
        } else if (key == "interval_ms" && step.action == scenario_step::kind::slow_body) {
            step.interval = to_ms(value, name);
        } else {
            throw std::invalid_argument(name + ": unknown member for fault '" +
                                        std::string(fault->get_string()) + "'");
        }
    }
    return step;
}

}  // namespace

scenario_step parse_step(std::string_view token) {
    const auto f = fields_of(token);
    const std::string what = "step '" + std::string(token) + "'";
    scenario_step step;
    const std::string_view name = f[0];
    auto arity = [&](std::size_t low, std::size_t high) {
        if (f.size() < low || f.size() > high) {
            throw std::invalid_argument(what + ": wrong number of ':' fields");
        }
    };
    if (!name.empty() && name.front() >= '0' && name.front() <= '9') {
        arity(1, 2);
        step.action = scenario_step::kind::status;
        step.status = parse_status(name, what);
        if (f.size() == 2) {
            step.retry_after = std::to_string(parse_unsigned(f[1], what, max_ms));
        }
    } else if (name == "ok") {
        arity(1, 1);
    } else if (name == "drop") {
        arity(1, 1);
        step.action = scenario_step::kind::drop;
    } else if (name == "reset") {
        arity(1, 1);
        step.action = scenario_step::kind::reset;
    } else if (name == "truncate") {
        arity(1, 2);
        step.action = scenario_step::kind::truncate;
        if (f.size() == 2) {
            step.bytes = parse_unsigned(f[1], what, 1 << 20);
        }
    } else if (name == "stray") {
        arity(1, 1);
        step.action = scenario_step::kind::stray;
    } else if (name == "slow_body") {
        if (f.size() != 1 && f.size() != 3) {
            throw std::invalid_argument(what + ": slow_body or slow_body:PIECE:INTERVAL_MS");
        }
        step.action = scenario_step::kind::slow_body;
        if (f.size() == 3) {
            step.piece = std::max<std::size_t>(1, parse_unsigned(f[1], what, 1 << 20));
            step.interval = std::chrono::milliseconds(parse_unsigned(f[2], what, max_ms));
        }
    } else if (name == "stall") {
        arity(1, 1);
        step.action = scenario_step::kind::stall;
    } else {
        throw std::invalid_argument(what +
                                    ": unknown (ok, STATUS[:RETRY_AFTER], drop, reset, "
                                    "truncate[:BYTES], stray, slow_body[:PIECE:MS], stall)");
    }
    return step;
}

std::vector<scenario_step> parse_sequence(std::string_view list) {
    std::vector<scenario_step> steps;
    for (;;) {
        const auto comma = list.find(',');
        steps.push_back(parse_step(list.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return steps;
        }
        list.remove_prefix(comma + 1);
    }
}

void parse_latency_range(std::string_view text, scenario& s) {
    const auto f = fields_of(text);
    const std::string what = "latency range '" + std::string(text) + "'";
    if (f.size() != 2) {
        throw std::invalid_argument(what + ": MIN:MAX in milliseconds");
    }
    const auto low = parse_unsigned(f[0], what, max_ms);
    const auto high = parse_unsigned(f[1], what, max_ms);
    if (low > high) {
        throw std::invalid_argument(what + ": MIN is greater than MAX");
    }
    s.latency = std::chrono::milliseconds(low);
    s.latency_max = std::chrono::milliseconds(high);
}

void merge_scenario(const json::value& document, scenario& s) {
    const json::object* o = document.if_object();
    if (o == nullptr) {
        throw std::invalid_argument("a scenario is a JSON object");
    }
    for (const auto& [key, value] : *o) {
        const std::string name(key);
        if (key == "latency_ms") {
            if (const json::object* range = value.if_object()) {
                const json::value* low = range->if_contains("min");
                const json::value* high = range->if_contains("max");
                if (low == nullptr || high == nullptr || range->size() != 2) {
                    throw std::invalid_argument(
                        "latency_ms: a number or {\"min\": MS, \"max\": MS}");
                }
                const auto lo = to_ms(*low, "latency_ms.min");
                const auto hi = to_ms(*high, "latency_ms.max");
                if (lo > hi) {
                    throw std::invalid_argument("latency_ms: min is greater than max");
                }
                s.latency = lo;
                s.latency_max = hi;
            } else {
                s.latency = to_ms(value, name);
                s.latency_max = 0ms;
            }
        } else if (key == "sequence") {
            const json::array* list = value.if_array();
            if (list == nullptr) {
                throw std::invalid_argument("sequence: an array of steps");
            }
            std::vector<scenario_step> steps;
            for (const json::value& item : *list) {
                const std::string where = "sequence[" + std::to_string(steps.size()) + "]";
                if (item.is_string()) {
                    try {
                        steps.push_back(parse_step(item.get_string()));
                    } catch (const std::invalid_argument& e) {
                        throw std::invalid_argument(where + ": " + e.what());
                    }
                } else if (item.is_object()) {
                    steps.push_back(step_of(item.get_object(), where));
                } else {
                    throw std::invalid_argument(where + ": a step is a string or an object");
                }
            }
            s.sequence = std::move(steps);
        } else if (key == "repeat") {
            if (!value.is_bool()) {
                throw std::invalid_argument("repeat: true or false");
            }
            s.repeat = value.get_bool();
        } else if (key == "goaway_after") {
            s.goaway_after = to_count(value, name, 1'000'000'000);
        } else {
            throw std::invalid_argument("unknown member '" + name +
                                        "' (latency_ms, sequence, repeat, goaway_after)");
        }
    }
}

}  // namespace stytch::mock::detail
