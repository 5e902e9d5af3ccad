// The out-of-line part of lenient_json.hpp.

#include "codec/lenient_json.hpp"

#include <cmath>

namespace stytch::detail::json_decode {

bool all_finite(const boost::json::value& v) noexcept {
    switch (v.kind()) {
        case boost::json::kind::double_:
            return std::isfinite(v.get_double());
        case boost::json::kind::array:
            for (const auto& e : v.get_array()) {
                if (!all_finite(e)) {
                    return false;
                }
            }
            return true;
        case boost::json::kind::object:
            for (const auto& m : v.get_object()) {
                if (!all_finite(m.value())) {
                    return false;
                }
            }
            return true;
        default:
            return true;
    }
}

}  // namespace stytch::detail::json_decode
