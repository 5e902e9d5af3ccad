#pragma once

// Helpers shared by the codec unit tests.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>

namespace stytch::test {

/// The contents of `name` in test/unit/data/.
inline std::string read_data_file(const std::string& name) {
    const std::string path = std::string(STYTCH_TEST_DATA_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The full sample answer (every field set) as text.
inline const std::string& full_body() {
    static const std::string body = read_data_file("organization_full.json");
    return body;
}

/// The full sample answer as a mutable DOM.
inline boost::json::value full_dom() {
    return boost::json::parse(full_body());
}

/// The `organization` object of a sample DOM.
inline boost::json::object& org_of(boost::json::value& dom) {
    return dom.as_object().at("organization").as_object();
}

}  // namespace stytch::test
