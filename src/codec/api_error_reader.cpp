// Error answers: their members (Stytch's shape first, then the OAuth2 names) and the error
// code an answer maps to.

#include "codec/api_error_reader.hpp"

#include <boost/json/value.hpp>

#include <string_view>

#include "codec/lenient_json.hpp"
#include "codec/response_decoder.hpp"

namespace stytch::detail {
namespace json_decode {

void read_api_error_members(const boost::json::object& obj, api_error& out) {
    assign_first_string(obj, {"request_id"}, out.request_id);
    assign_first_string(obj, {"error_type", "error"}, out.error_type);
    assign_first_string(obj, {"error_message", "error_description"}, out.error_message);
    assign_first_string(obj, {"error_url", "error_uri"}, out.error_url);
    if (const auto it = obj.find("error_details"); it != obj.end() && all_finite(it->value())) {
        out.error_details = boost::json::value(it->value(), boost::json::storage_ptr());
    }
}

}  // namespace json_decode

namespace {

struct known_error_type {
    std::string_view type;
    error code;
};

constexpr known_error_type known_error_types[] = {
    {"unauthorized_credentials", error::unauthorized_credentials},
    {"too_many_requests", error::too_many_requests},
    {"internal_server_error", error::internal_server_error},
    {"organization_not_found", error::organization_not_found},
    {"session_not_found", error::session_not_found},
    {"unauthorized_action", error::unauthorized_action},
};

}  // namespace

boost::system::error_code error_code_for(int http_status, std::string_view error_type) noexcept {
    for (const auto& known : known_error_types) {
        if (known.type == error_type) {
            return known.code;
        }
    }
    if (http_status >= 400 && http_status <= 499) {
        return error::client_error;
    }
    if (http_status >= 500 && http_status <= 599) {
        return error::server_error;
    }
    return error::unexpected_status;
}

}  // namespace stytch::detail
