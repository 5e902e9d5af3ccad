#include "http1_response.hpp"

#include "http_text.hpp"

#include <boost/beast/http/write.hpp>

#include <exception>
#include <sstream>

namespace stytch::mock {

namespace http = boost::beast::http;

namespace detail {

http_response build_response(const reply& r, bool request_keep_alive, bool& keep_alive,
                             std::string_view fallback) {
    http_response response;
    keep_alive = false;
    try {
        response.version(11);
        const unsigned status =
            r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u;
        response.result(status);
        response.set(http::field::content_type, "application/json");
        response.body() = r.body;
        response.prepare_payload();
        for (const auto& [name, value] : r.headers) {
            if (iequals(name, "Content-Type") || iequals(name, "Content-Length") ||
                iequals(name, "Connection")) {
                response.set(name, value);
            } else {
                response.insert(name, value);
            }
        }
        keep_alive = request_keep_alive && !r.close_after && response.keep_alive();
        response.keep_alive(keep_alive);
    } catch (const std::exception&) {
        response = {};
        response.version(11);
        response.result(http::status::internal_server_error);
        response.set(http::field::content_type, "application/json");
        response.body() = std::string(fallback);
        response.prepare_payload();
        response.keep_alive(false);
        keep_alive = false;
    }
    return response;
}

std::string header_bytes(const http_response& response) {
    std::ostringstream out;
    out << response.base();
    return std::move(out).str();
}

}  // namespace detail

std::string render(const reply& r) {
    bool keep_alive = false;
    const auto response = detail::build_response(
        r, true, keep_alive,
        R"({"status_code":500,"error_type":"internal_server_error","error_message":"Invalid reply."})");
    return detail::header_bytes(response) + response.body();
}

}  // namespace stytch::mock
