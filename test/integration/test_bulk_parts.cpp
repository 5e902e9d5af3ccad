// The parts of `stytch-b2b delete-external-id --ids` that decide without I/O: reading the ids
// and a resumed run's output, the shared back-off after a 429, the progress and summary lines,
// and the arguments.

#include <boost/test/unit_test.hpp>

#include <sstream>

#include "arguments.hpp"
#include "id_list.hpp"
#include "progress.hpp"
#include "rate_gate.hpp"

using namespace stytch::cli;
using namespace std::chrono_literals;

namespace {

std::optional<std::string> parse(std::vector<std::string> words, arguments& out) {
    std::vector<char*> argv;
    for (auto& w : words) {
        argv.push_back(w.data());
    }
    return parse_arguments(static_cast<int>(argv.size()), argv.data(), out);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_parts)

BOOST_AUTO_TEST_CASE(ids_skip_blank_lines_and_comments_and_keep_their_line_numbers) {
    std::istringstream in("# org ids\n  org-a  \n\n\t\norg-b\r\n#org-c\nbad id\nctl\x01id\norg-d");
    const auto ids = read_ids(in);
    BOOST_REQUIRE_EQUAL(ids.size(), 5u);
    BOOST_TEST(ids[0].id == "org-a");
    BOOST_TEST(ids[0].line == 2u);
    BOOST_TEST(ids[0].invalid.empty());
    BOOST_TEST(ids[1].id == "org-b");  // CRLF
    BOOST_TEST(ids[1].line == 5u);
    BOOST_TEST(ids[2].id == "bad id");
    BOOST_TEST(ids[2].invalid == "the id contains whitespace");
    BOOST_TEST(ids[3].invalid == "the id contains a control character");
    BOOST_TEST(ids[4].id == "org-d");  // no newline at the end
    BOOST_TEST(ids[4].line == 9u);
}

BOOST_AUTO_TEST_CASE(resume_takes_the_succeeded_ids_and_counts_the_lines_cut_short) {
    std::istringstream in(R"({"id":"org-a","status":"success","request_id":"r1"}
{"id":"org-b","status":"error","error_type":"organization_not_found","error":"x"}

{"id":"org-c","status":"success","request_id":"r3"}
not json
["id","org-e"]
{"id":"org-d","status":"succ)");
    const auto state = read_resume(in);
    BOOST_TEST(state.succeeded.size() == 2u);
    BOOST_TEST(state.succeeded.contains("org-a"));
    BOOST_TEST(state.succeeded.contains("org-c"));
    BOOST_TEST(!state.succeeded.contains("org-b"));
    BOOST_TEST(!state.succeeded.contains("org-d"));
    BOOST_TEST(state.unreadable_lines == 3u);
}

BOOST_AUTO_TEST_CASE(a_429_pauses_new_calls_and_its_wave_does_not_extend_the_pause) {
    const rate_gate::clock::time_point t0{};
    rate_gate gate(1000ms, 30s);
    BOOST_TEST((gate.open_at() <= t0));
    gate.rate_limited(t0 + 10ms);
    BOOST_TEST((gate.open_at() == t0 + 1010ms));
    // Other calls of the same wave answered 429 during the pause.
    gate.rate_limited(t0 + 20ms);
    gate.rate_limited(t0 + 900ms);
    BOOST_TEST((gate.open_at() == t0 + 1010ms));
    BOOST_TEST(gate.answers_429() == 3u);
    BOOST_TEST(gate.pauses() == 1u);
}

BOOST_AUTO_TEST_CASE(each_429_after_a_pause_doubles_it_up_to_the_cap_and_a_success_resets_it) {
    const rate_gate::clock::time_point t0{};
    rate_gate gate(1000ms, 3000ms);
    gate.rate_limited(t0);  // 1 s
    gate.rate_limited(t0 + 1000ms);
    BOOST_TEST((gate.open_at() == t0 + 3000ms));  // 2 s
    gate.rate_limited(t0 + 3000ms);
    BOOST_TEST((gate.open_at() == t0 + 6000ms));  // 3 s: the cap
    gate.rate_limited(t0 + 6000ms);
    BOOST_TEST((gate.open_at() == t0 + 9000ms));  // still the cap
    // A success of a call that was in flight during the pause keeps the level...
    gate.succeeded(t0 + 8000ms);
    gate.rate_limited(t0 + 9000ms);
    BOOST_TEST((gate.open_at() == t0 + 12000ms));
    // ...one after it resets it.
    gate.succeeded(t0 + 12000ms);
    gate.rate_limited(t0 + 13000ms);
    BOOST_TEST((gate.open_at() == t0 + 14000ms));
    BOOST_TEST(gate.pauses() == 6u);
}

BOOST_AUTO_TEST_CASE(a_longer_retry_after_sets_the_pause_and_extends_its_wave) {
    const rate_gate::clock::time_point t0{};
    rate_gate gate(1000ms, 30s);
    gate.rate_limited(t0, 5s);
    BOOST_TEST((gate.open_at() == t0 + 5s));
    gate.rate_limited(t0 + 100ms, 2s);  // the same wave, asking less: no change
    BOOST_TEST((gate.open_at() == t0 + 5s));
    gate.rate_limited(t0 + 200ms, 6s);  // the same wave, asking more: extended, not doubled
    BOOST_TEST((gate.open_at() == t0 + 6200ms));
    gate.rate_limited(t0 + 7s, 100ms);  // shorter than the doubled pause: the pause wins
    BOOST_TEST((gate.open_at() == t0 + 9s));
    gate.rate_limited(t0 + 10s, std::chrono::milliseconds::max());  // bounded
    BOOST_TEST((gate.open_at() == t0 + 10s + rate_gate::longest_retry_after));
    BOOST_TEST(gate.pauses() == 3u);
}

BOOST_AUTO_TEST_CASE(the_progress_line_has_done_total_rate_errors_and_eta) {
    tally t{.total = 1000, .succeeded = 117, .failed = 3};
    BOOST_TEST(progress_line(t, 4s, false) == "120/1000 (12%)  30.0/s  3 errors  ETA 0:29");
    t.failed = 1;
    BOOST_TEST(progress_line(t, 118s, true) ==
               "118/1000 (12%)  1.0/s  1 error  ETA 14:42  paused (HTTP 429)");
    BOOST_TEST(progress_line(tally{.total = 50000, .succeeded = 10}, 10s, false) ==
               "10/50000 (0%)  1.0/s  0 errors  ETA 13:53:10");
    BOOST_TEST(progress_line(tally{.total = 5}, 0s, false) == "0/5 (0%)  0.0/s  0 errors  ETA -");
}

BOOST_AUTO_TEST_CASE(the_summary_names_what_was_not_done_skipped_limited_or_interrupted) {
    BOOST_TEST(summary_line(tally{.total = 4, .succeeded = 2, .failed = 2}, 2s, 0, false) ==
               "4 ids: 2 succeeded, 2 failed in 2.0 s (2.0/s)");
    BOOST_TEST(
        summary_line(tally{.total = 10, .succeeded = 3, .failed = 1, .skipped = 7}, 2s, 1, true) ==
        "10 ids: 3 succeeded, 1 failed, 6 not done in 2.0 s (2.0/s); 7 skipped (succeeded "
        "in the resumed run); 1 answer HTTP 429; interrupted");
    BOOST_TEST(summary_line(tally{.total = 1}, 0s, 0, false) ==
               "1 id: 0 succeeded, 0 failed, 1 not done in 0.0 s (0.0/s)");
}

BOOST_AUTO_TEST_CASE(bulk_arguments_are_read_and_checked) {
    arguments a;
    BOOST_TEST(!parse({"stytch-b2b", "delete-external-id", "--ids", "-", "--concurrency=4",
                       "--resume", "r.jsonl", "--backoff", "250", "--session-token", "t"},
                      a));
    BOOST_TEST(*a.ids_file == "-");
    BOOST_TEST(a.concurrency == 4u);
    BOOST_TEST(*a.resume_file == "r.jsonl");
    BOOST_TEST((a.backoff == 250ms));
    BOOST_TEST(*a.session_token == "t");

    const std::pair<std::vector<std::string>, std::string> refused[] = {
        {{"--ids", "f", "org"}, "give either ORGANIZATION_ID or --ids FILE, not both"},
        {{"--ids"}, "--ids needs exactly one FILE (or - for stdin)"},
        {{"--ids", "f", "--concurrency", "0"},
         "--concurrency needs a number of calls from 1 to 1024"},
        {{"--ids", "f", "--concurrency", "1025"},
         "--concurrency needs a number of calls from 1 to 1024"},
        {{"--ids", "f", "--concurrency", "4x"},
         "--concurrency needs a number of calls from 1 to 1024"},
        {{"--ids", "f", "--backoff", "-1"},
         "--backoff needs a number of milliseconds from 1 to 3600000"},
        {{"--ids", "f", "--verbose"},
         "--verbose reports the attempts of one call: it does not apply to --ids"},
        {{"org", "--resume", "r"}, "--resume applies to --ids only"},
        {{"org", "--concurrency", "2"}, "--concurrency applies to --ids only"},
        {{}, "missing ORGANIZATION_ID (or --ids FILE)"},
        {{"--idz", "f"}, "unknown option '--idz'; did you mean '--ids'?"},
    };
    for (const auto& [words, reason] : refused) {
        std::vector<std::string> argv{"stytch-b2b", "delete-external-id"};
        argv.insert(argv.end(), words.begin(), words.end());
        arguments b;
        BOOST_TEST(parse(argv, b).value_or("") == reason);
    }
}

BOOST_AUTO_TEST_SUITE_END()
