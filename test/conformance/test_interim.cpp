// Issue 9, item 2: interim 1xx answers before the final one are skipped (RFC 9110 §15.2), in
// any TLS record split and after any pause; an unsolicited 101 is a protocol error.

#include "conformance/scripting.hpp"
#include "support/client_fixture.hpp"

using namespace stytch;
using namespace stytch::test;
using namespace std::chrono_literals;

namespace {

const std::string continue_100 = "HTTP/1.1 100 Continue\r\n\r\n";
const std::string processing_102 = "HTTP/1.1 102 Processing\r\n\r\n";
const std::string early_hints_103 =
    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n"
    "Link: </script.js>; rel=preload; as=script\r\nX-Hint: 1\r\n\r\n";

/// Call 1 (first_org) is answered by `script`, which ends with the normal answer: it succeeds
/// with its own organization in one attempt; then call 2 (second_org) gets its own answer too.
void interim_answers_are_skipped(std::vector<script_step> script) {
    client_fixture f;
    script_requests(f.server, {std::move(script)});
    f.make_client();
    check_own_answer(f.run_call(first_org), first_org);
    auto entries = f.log.entries();
    BOOST_REQUIRE(entries.size() == 1u);
    BOOST_TEST(entries[0].info.http_status == 200);
    check_own_answer(f.run_call(second_org), second_org);
    BOOST_TEST(f.server.connections_accepted() == 1u);  // nothing was pending: reused
}

}  // namespace

BOOST_AUTO_TEST_SUITE(interim)

BOOST_AUTO_TEST_CASE(continue_100_then_200) {
    interim_answers_are_skipped({script_step::write(continue_100), script_step::normal_answer()});
}

BOOST_AUTO_TEST_CASE(early_hints_103_with_headers_then_200) {
    interim_answers_are_skipped(
        {script_step::write(early_hints_103), script_step::normal_answer()});
}

BOOST_AUTO_TEST_CASE(several_1xx_in_a_row_then_200) {
    interim_answers_are_skipped(
        {script_step::write(continue_100), script_step::write(processing_102),
         script_step::write(early_hints_103), script_step::write(early_hints_103),
         script_step::normal_answer()});
}

BOOST_AUTO_TEST_CASE(several_1xx_and_the_200_in_one_record) {
    client_fixture f;
    script_requests(
        f.server, {{script_step::write(continue_100 + early_hints_103 +
                                       ok_answer_for(f.server, first_org, "request-id-test-ok"))}});
    f.make_client();
    auto r = f.run_call(first_org);
    check_own_answer(r, first_org);
    check_own_answer(f.run_call(second_org), second_org);
}

BOOST_AUTO_TEST_CASE(interim_then_a_pause_then_200_and_the_next_call_gets_its_own) {
    interim_answers_are_skipped(
        {script_step::write(early_hints_103), script_step::normal_answer(200ms)});
}

BOOST_AUTO_TEST_CASE(each_1xx_in_one_byte_records) {
    interim_answers_are_skipped({script_step::write(continue_100, 0ms, 1),
                                 script_step::write(early_hints_103, 0ms, 1),
                                 script_step::normal_answer()});
}

BOOST_AUTO_TEST_CASE(unsolicited_101_is_a_protocol_error_and_the_connection_is_discarded) {
    client_fixture f;
    script_requests(f.server,
                    {{script_step::write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n"
                                         "Connection: Upgrade\r\n\r\n")}});
    refused_and_discarded(f, error::unexpected_switch_protocols);
    BOOST_TEST(make_error_code(error::unexpected_switch_protocols) == condition::protocol_error);
}

BOOST_AUTO_TEST_SUITE_END()
