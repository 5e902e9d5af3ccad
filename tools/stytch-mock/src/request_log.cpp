#include "request_log.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace stytch::mock::detail {
namespace {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// RFC 3339 in UTC with milliseconds: 2026-12-06T16:30:00.123Z.
std::string rfc3339(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 96> text{};  // room for any int the format may meet
    std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                  utc.tm_sec, static_cast<int>(ms.count() % 1000));
    return text.data();
}

}  // namespace

std::string masked_header_value(std::string_view name, std::string_view value) {
    if (iequals(name, "authorization") || iequals(name, "proxy-authorization")) {
        const auto space = value.find(' ');
        return space == std::string_view::npos ? "***"
                                               : std::string(value.substr(0, space)) + " ***";
    }
    for (std::string_view secret :
         {"cookie", "x-stytch-member-session", "x-stytch-member-sessionjwt"}) {
        if (iequals(name, secret)) {
            return "***";
        }
    }
    return std::string(value);
}

std::string log_line(const answered_request& entry) {
    const recorded_request& r = entry.request;
    json::object headers;
    for (const auto& [name, value] : r.headers) {
        const std::string shown = masked_header_value(name, value);
        // A repeated header: its values joined as HTTP would fold them.
        if (json::value* seen = headers.if_contains(name)) {
            seen->as_string().append(", ");
            seen->as_string().append(shown);
        } else {
            headers[name] = shown;
        }
    }
    json::object line;
    line["time"] = rfc3339(entry.received_at);
    line["connection"] = r.connection_id;
    line["method"] = r.method;
    line["path"] = r.target;
    line["protocol"] = entry.protocol;
    line["headers"] = std::move(headers);
    line["status"] = entry.status == 0 ? json::value(nullptr) : json::value(entry.status);
    // Whole microseconds: exact, and plain in JSON (a double would print as 1.2E1).
    line["duration_us"] =
        std::chrono::duration_cast<std::chrono::microseconds>(entry.duration).count();
    return json::serialize(line);
}

void request_log::write(const answered_request& entry) {
    const std::string line = log_line(entry) + "\n";
    std::lock_guard lock(mutex_);
    out_ << line << std::flush;
}

}  // namespace stytch::mock::detail
