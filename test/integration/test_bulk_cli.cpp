// `stytch-b2b delete-external-id --ids` as a child process against the in-process mock: one
// JSON line per id, the exit status, one pooled client, --resume, the shared pause after a
// 429, and SIGINT.

#include <boost/json/parse.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "cli_child.hpp"
#include "support/calls.hpp"
#include "support/server.hpp"

using namespace stytch;
using namespace stytch::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::pair<std::string, std::string>> cli_environment(const server_fixture& f) {
    const auto cfg = f.config();
    return {{"STYTCH_PROJECT_ID", cfg.project_id},
            {"STYTCH_SECRET", cfg.secret},
            {"STYTCH_BASE_URL", cfg.base_url},
            {"STYTCH_CA_FILE", f.ca_file},
            {"STYTCH_HTTP_VERSION", "auto"}};
}

// A file that is removed with the test.
struct temp_file {
    explicit temp_file(const std::string& text) { std::ofstream(path) << text; }
    ~temp_file() { std::remove(path.c_str()); }
    std::string path = temp_path("stytch-bulk");
};

struct run_result {
    int status;
    std::string out;
    std::string err;
};

run_result run_cli(const server_fixture& f, const std::vector<std::string>& arguments) {
    std::vector<std::string> args{"delete-external-id"};
    args.insert(args.end(), arguments.begin(), arguments.end());
    cli_child child(STYTCH_CLI, args, cli_environment(f));
    const int status = child.wait();
    return {status, child.out(), child.err()};
}

// The JSON lines of the output, by id (each id must appear once).
std::map<std::string, boost::json::object> lines_by_id(const std::string& out) {
    std::map<std::string, boost::json::object> lines;
    std::istringstream in(out);
    std::string text;
    while (std::getline(in, text)) {
        auto object = boost::json::parse(text).as_object();
        const std::string id(object.at("id").as_string());
        BOOST_TEST(!lines.contains(id), "twice: " << id);
        lines[id] = std::move(object);
    }
    return lines;
}

// `n` more organizations in the mock (copies of the first with their own ids).
std::vector<std::string> add_organizations(server_fixture& f, std::size_t n) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i) {
        auto org = *f.server.find_organization(first_org);
        ids.push_back("organization-test-bulk-" + std::to_string(i));
        org["organization_id"] = ids.back();
        org["organization_slug"] = "bulk-" + std::to_string(i);
        org["organization_external_id"] = "external-bulk-" + std::to_string(i);
        f.server.add_organization(std::move(org));
    }
    return ids;
}

std::string file_of(const std::vector<std::string>& ids) {
    std::string text;
    for (const auto& id : ids) {
        text += id + "\n";
    }
    return text;
}

std::string id_of_target(const std::string& target) {
    const std::string prefix = "/v1/b2b/organizations/";
    const auto end = target.find("/external_id");
    return target.substr(prefix.size(), end - prefix.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_cli)

BOOST_AUTO_TEST_CASE(each_id_gets_one_line_and_a_failure_makes_the_status_1) {
    server_fixture f;
    temp_file ids("# to clear\n" + std::string(first_org) +
                  "\n\norganization-test-missing\nbad id\n" + second_org + "\r\n");
    const auto r = run_cli(f, {"--ids", ids.path});
    BOOST_TEST(r.status == 1, r.err);
    const auto lines = lines_by_id(r.out);
    BOOST_REQUIRE_EQUAL(lines.size(), 4u);
    for (const char* org : {first_org, second_org}) {
        BOOST_TEST(lines.at(org).at("status") == "success");
        BOOST_TEST(lines.at(org).at("request_id").as_string().starts_with("request-id-test-"));
    }
    const auto& missing = lines.at("organization-test-missing");
    BOOST_TEST(missing.at("status") == "error");
    BOOST_TEST(missing.at("status_code") == 404);
    BOOST_TEST(missing.at("error_type") == "organization_not_found");
    BOOST_TEST(missing.at("request_id").as_string().starts_with("request-id-test-"));
    const auto& bad = lines.at("bad id");
    BOOST_TEST(bad.at("status") == "error");
    BOOST_TEST(bad.at("error_type") == "invalid_id");
    BOOST_TEST(bad.at("error") == "the id contains whitespace (line 5)");
    BOOST_TEST(!bad.contains("request_id"));
    BOOST_TEST(f.server.requests_received() == 3u);  // not the invalid id
    BOOST_TEST(r.err.starts_with("stytch-b2b: 4 ids: 2 succeeded, 2 failed in "), r.err);
    BOOST_TEST(r.err.find('\r') == std::string::npos);  // no progress line: not a terminal
    // The mock drops the member on delete, as the real API does.
    BOOST_TEST(!f.server.find_organization(first_org)->contains("organization_external_id"));
}

BOOST_AUTO_TEST_CASE(all_succeeded_is_status_0_over_one_pool_of_connections) {
    server_fixture f;
    const auto orgs = add_organizations(f, 30);
    temp_file ids(file_of(orgs));
    const auto r = run_cli(f, {"--ids", ids.path, "--concurrency", "3"});
    BOOST_TEST(r.status == 0, r.err);
    const auto lines = lines_by_id(r.out);
    BOOST_TEST(lines.size() == 30u);
    for (const auto& [id, line] : lines) {
        BOOST_TEST(line.at("status") == "success", id);
    }
    BOOST_TEST(f.server.requests_received() == 30u);
    // One client shared by all calls: at most one connection per call at once.
    BOOST_TEST(f.server.connections_accepted() <= 3u);
    BOOST_TEST(r.err.starts_with("stytch-b2b: 30 ids: 30 succeeded, 0 failed in "), r.err);
}

BOOST_AUTO_TEST_CASE(ids_from_stdin) {
    server_fixture f;
    temp_file ids(std::string(first_org) + "\n" + third_org + "\n");
    std::vector<std::string> args{"delete-external-id", "--ids", "-"};
    cli_child child(STYTCH_CLI, args, cli_environment(f), ids.path);
    BOOST_TEST(child.wait() == 0, child.err());
    BOOST_TEST(lines_by_id(child.out()).size() == 2u);
}

BOOST_AUTO_TEST_CASE(resume_skips_the_ids_that_succeeded_and_calls_the_others_again) {
    server_fixture f;
    temp_file ids(file_of({first_org, second_org, third_org}));
    temp_file previous(R"({"id":")" + std::string(first_org) +
                       R"(","status":"success","request_id":"request-id-test-1"}
{"id":")" + second_org +
                       R"(","status":"error","error_type":"internal_server_error","error":"x"}
{"id":")" + third_org + R"(","status":"succ)");
    const auto r = run_cli(f, {"--ids", ids.path, "--resume", previous.path});
    BOOST_TEST(r.status == 0, r.err);
    const auto lines = lines_by_id(r.out);
    BOOST_TEST(lines.size() == 2u);
    BOOST_TEST(lines.contains(second_org));
    BOOST_TEST(lines.contains(third_org));  // its line was cut short
    BOOST_TEST(f.server.requests_received() == 2u);
    for (const auto& request : f.server.requests()) {
        BOOST_TEST(id_of_target(request.target) != first_org);
    }
    BOOST_TEST(r.err.find("--resume: 1 line(s) of '" + previous.path + "' are not results") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("2 ids: 2 succeeded, 0 failed in ") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("; 1 skipped (succeeded in the resumed run)") != std::string::npos,
               r.err);
}

BOOST_AUTO_TEST_CASE(usage_errors_are_status_2_and_send_nothing) {
    server_fixture f;
    temp_file ids(file_of({first_org}));
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"--ids", "/nonexistent/ids.txt"}, "--ids: cannot read '/nonexistent/ids.txt'"},
        {{"--ids", ids.path, "--resume", "/nonexistent/r.jsonl"},
         "--resume: cannot read '/nonexistent/r.jsonl'"},
        {{"--ids", ids.path, "--concurrency", "0"}, "--concurrency needs a number"},
        {{"--ids", ids.path, first_org}, "not both"},
    };
    for (const auto& [args, reason] : cases) {
        const auto r = run_cli(f, args);
        BOOST_TEST(r.status == 2);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(r.err.find(reason) != std::string::npos, r.err);
    }
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(a_terminal_gets_a_progress_line_redrawn_in_place_then_the_summary) {
    mock::server_options o;
    o.answer_delay = 100ms;
    server_fixture f(o);
    temp_file ids(file_of(add_organizations(f, 8)));
    cli_child child(STYTCH_CLI, {"delete-external-id", "--ids", ids.path, "--concurrency", "2"},
                    cli_environment(f), "/dev/null", true);
    BOOST_TEST(child.wait() == 0);
    const std::string err = child.err();
    // 4 rounds of 100 ms: the line is drawn at the start and redrawn at least once.
    BOOST_TEST(err.starts_with("\r0/8 (0%)  0.0/s  0 errors  ETA -\x1b[K"), err);
    std::size_t draws = 0;
    for (auto at = err.find("\x1b[K\r"); at != std::string::npos;
         at = err.find("\x1b[K\r", at + 1)) {
        ++draws;
    }
    BOOST_TEST(draws >= 2u, err);
    // Cleared before the summary (the terminal writes a newline as CR LF).
    BOOST_TEST(
        err.find("\r\x1b[Kstytch-b2b: 8 ids: 8 succeeded, 0 failed in ") != std::string::npos, err);
    BOOST_TEST(err.ends_with("\r\n"), err);
}

// The first id's first attempt is answered 429 (with `retry_after` as its Retry-After, when
// given); the two other first calls are answered 300 ms late, so their workers are free
// while the pause runs. The calls of the later ids may start only when the shared pause that
// the 429 began is over.
static void check_the_shared_pause(const std::string& backoff_ms,
                                   std::optional<std::string> retry_after,
                                   std::chrono::milliseconds pause) {
    server_fixture f;
    const auto orgs = add_organizations(f, 6);
    const std::set<std::string> first_wave(orgs.begin(), orgs.begin() + 3);
    struct arrival {
        std::string id;
        std::chrono::steady_clock::time_point at;
        bool limited;
    };
    auto log = std::make_shared<std::vector<arrival>>();
    auto mutex = std::make_shared<std::mutex>();
    f.server.set_override([=](const mock::recorded_request& request) -> std::optional<mock::reply> {
        const auto now = std::chrono::steady_clock::now();
        const std::string id = id_of_target(request.target);
        std::lock_guard lock(*mutex);
        const bool seen =
            std::any_of(log->begin(), log->end(), [&](const arrival& a) { return a.id == id; });
        const bool limit = id == orgs[0] && !seen;
        log->push_back({id, now, limit});
        if (limit) {
            mock::reply r{.status = 429, .body = error_body(429, "too_many_requests")};
            if (retry_after) {
                r.headers.emplace_back("Retry-After", *retry_after);
            }
            return r;
        }
        if (first_wave.contains(id)) {
            return mock::reply{.action = mock::reply::kind::script,
                               .script = {mock::script_step::normal_answer(300ms)}};
        }
        return std::nullopt;
    });
    temp_file ids(file_of(orgs));
    const auto r = run_cli(f, {"--ids", ids.path, "--concurrency", "3", "--backoff", backoff_ms});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(lines_by_id(r.out).size() == 6u);
    BOOST_TEST(r.err.find("; 1 answer HTTP 429") != std::string::npos, r.err);

    std::lock_guard lock(*mutex);
    const auto limited =
        std::find_if(log->begin(), log->end(), [](const arrival& a) { return a.limited; });
    BOOST_REQUIRE(limited != log->end());
    for (const auto& a : *log) {
        if (!first_wave.contains(a.id)) {
            BOOST_TEST(
                (a.at - limited->at >= pause),
                a.id << " arrived "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(a.at - limited->at)
                            .count()
                     << " ms after the 429");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_429_pauses_every_worker_before_its_next_call) {
    check_the_shared_pause("600", std::nullopt, 600ms);
}

BOOST_AUTO_TEST_CASE(a_longer_retry_after_lengthens_the_shared_pause) {
    check_the_shared_pause("20", "1", 1000ms);
}

// The client gives up on a call after 3 attempts answered 429; the runner calls it again after
// the shared pause instead of reporting it, and reports it once.
BOOST_AUTO_TEST_CASE(a_call_the_client_gave_up_on_with_429_is_queued_again) {
    server_fixture f;
    inject(f.server, {.status = 429, .body = error_body(429, "too_many_requests")}, 4);
    temp_file ids(file_of({first_org}));
    const auto r = run_cli(f, {"--ids", ids.path, "--backoff", "20"});
    BOOST_TEST(r.status == 0, r.err);
    const auto lines = lines_by_id(r.out);
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    BOOST_TEST(lines.at(first_org).at("status") == "success");
    BOOST_TEST(f.server.requests_received() == 5u);
    BOOST_TEST(r.err.find("1 id: 1 succeeded, 0 failed in ") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("; 4 answers HTTP 429") != std::string::npos, r.err);
}

// SIGINT: no new call starts, the calls in flight finish (every request the server received
// has its line), the summary says what was not done, the status is 1, and the output resumes.
BOOST_AUTO_TEST_CASE(sigint_lets_the_calls_in_flight_finish_and_the_output_resumes) {
    mock::server_options o;
    o.answer_delay = 100ms;
    server_fixture f(o);
    const auto orgs = add_organizations(f, 40);
    temp_file ids(file_of(orgs));
    temp_file results("");
    {
        cli_child child(STYTCH_CLI, {"delete-external-id", "--ids", ids.path, "--concurrency", "4"},
                        cli_environment(f));
        BOOST_REQUIRE(eventually([&] { return f.server.requests_received() >= 6; }));
        child.signal(SIGINT);
        BOOST_TEST(child.wait() == 1, child.err());
        const auto lines = lines_by_id(child.out());
        BOOST_TEST(lines.size() < 40u);
        BOOST_TEST(lines.size() == f.server.requests_received());
        for (const auto& [id, line] : lines) {
            BOOST_TEST(line.at("status") == "success", id);
        }
        const std::string err = child.err();
        BOOST_TEST(err.find("stytch-b2b: interrupted: letting the calls in flight finish") !=
                       std::string::npos,
                   err);
        BOOST_TEST(err.find("stytch-b2b: 40 ids: " + std::to_string(lines.size()) +
                            " succeeded, 0 failed, " + std::to_string(40 - lines.size()) +
                            " not done in ") != std::string::npos,
                   err);
        BOOST_TEST(err.find("; interrupted\n") != std::string::npos, err);
        std::ofstream(results.path) << child.out();
    }
    const std::size_t before = f.server.requests_received();
    const auto r = run_cli(f, {"--ids", ids.path, "--resume", results.path});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(lines_by_id(r.out).size() == 40 - before);
    BOOST_TEST(f.server.requests_received() == 40u);  // no id called twice
}

BOOST_AUTO_TEST_SUITE_END()
