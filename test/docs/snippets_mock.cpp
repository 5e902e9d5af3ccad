// The C++ blocks of docs/tools.md (stytch-mock in your own tests), in context so that they
// compile (target docs_snippets, never run): scripts/check-docs fails when a block of the page
// is not an excerpt of this file.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

#include <stytch/mock/server.hpp>
#include <stytch/stytch.hpp>

namespace docs_mock {

void in_a_test(const std::string& dir, stytch::client_config& cfg) {
    // clang-format off
    stytch::mock::server mock;                        // 127.0.0.1, ephemeral port, fresh CA
    mock.load_organizations("organizations.json");     // or add_organization(boost::json::object)
    mock.write_ca_file(dir + "/ca.pem");
    cfg.base_url = mock.base_url();                    // https://127.0.0.1:<port>
    cfg.ca_file = dir + "/ca.pem";
    cfg.project_id = "project-test-11111111-2222-3333-4444-555555555555";  // the mock's defaults
    cfg.secret = "secret-test-mock";                                       // (server_options)
    // ... run the code under test ...
    BOOST_TEST(mock.requests().at(0).header("X-Stytch-Member-Session") == "token");
    mock.set_override([](const stytch::mock::recorded_request&) -> std::optional<stytch::mock::reply> {
        return stytch::mock::reply{.status = 503, .body = R"({"status_code":503})"};  // inject a fault
    });
    // clang-format on
}

void scripted(stytch::mock::server& mock, const std::string& stray_answer) {
    // clang-format off
    using stytch::mock::script_step;
    mock.set_override([&](const stytch::mock::recorded_request&) -> std::optional<stytch::mock::reply> {
        return stytch::mock::reply{.action = stytch::mock::reply::kind::script,
                                   .script = {script_step::write("HTTP/1.1 103 Early Hints\r\n\r\n", {}, 1),
                                              script_step::normal_answer(),
                                              script_step::write(stray_answer, std::chrono::milliseconds(200))}};
    });
    // clang-format on
}

}  // namespace docs_mock
