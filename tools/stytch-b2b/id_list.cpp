#include "id_list.hpp"

#include <boost/json/parse.hpp>

namespace stytch::cli {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Ids are organization ids, slugs or external ids: a space inside is most likely two ids or a
// CSV line pasted by mistake, and a control character a binary file.
std::string why_invalid(std::string_view id) {
    for (const unsigned char c : id) {
        if (c == ' ' || c == '\t') {
            return "the id contains whitespace";
        }
        if (c < 0x20 || c == 0x7f) {
            return "the id contains a control character";
        }
    }
    return {};
}

}  // namespace

std::vector<id_entry> read_ids(std::istream& in) {
    std::vector<id_entry> ids;
    std::string text;
    for (std::size_t line = 1; std::getline(in, text); ++line) {
        const std::string_view id = trim(text);
        if (id.empty() || id.front() == '#') {
            continue;
        }
        ids.push_back({line, std::string(id), why_invalid(id)});
    }
    return ids;
}

resume_state read_resume(std::istream& in) {
    resume_state state;
    std::string text;
    while (std::getline(in, text)) {
        if (trim(text).empty()) {
            continue;
        }
        boost::system::error_code ec;
        const auto value = boost::json::parse(text, ec);
        const auto* object = ec ? nullptr : value.if_object();
        const auto* id = object ? object->if_contains("id") : nullptr;
        const auto* status = object ? object->if_contains("status") : nullptr;
        if (!id || !id->is_string() || !status || !status->is_string()) {
            ++state.unreadable_lines;
            continue;
        }
        if (status->get_string() == "success") {
            state.succeeded.emplace(id->get_string());
        }
    }
    return state;
}

}  // namespace stytch::cli
