// stytch-decode-bench: the project's typed decode (detail::decode_delete_external_id) against
// boost::json::parse into a DOM, on the same bytes: the ~1.7 KB organization answer of
// bench/organization.json and a ~64 KB one with a large trusted_metadata. Reports MB/s (the
// median of several repetitions, alternating the contenders) and the typed/DOM ratio.
//
// usage: stytch-decode-bench [BODY.json] [--reps N] [--ms M] [--json] [--count N]
// --count N only decodes the 1.7 KB body N times with each contender, for counting
// instructions: valgrind --tool=callgrind --toggle-collect='*typed_once*' ... (or dom_once).

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <stytch/b2b/organizations.hpp>

#include "codec/response_decoder.hpp"

namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

volatile std::size_t sink;  // keeps results alive for the optimizer

// Runs `f` repeatedly for about `ms` milliseconds; returns MB/s over `bytes` per call.
template <class F>
double measure(F&& f, std::size_t bytes, int ms) {
    std::size_t n = 0;
    const auto start = clock_type::now();
    const auto until = start + std::chrono::milliseconds(ms);
    auto now = start;
    do {
        for (int i = 0; i < 64; ++i) {
            f();
        }
        n += 64;
        now = clock_type::now();
    } while (now < until);
    const double s = std::chrono::duration<double>(now - start).count();
    return static_cast<double>(n * bytes) / s / 1e6;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The 1.7 KB answer with trusted_metadata grown to about `target` bytes in all.
std::string grow_metadata(const std::string& body, std::size_t target) {
    json::value dom = json::parse(body);
    auto& meta = dom.at("organization").at("trusted_metadata").as_object();
    for (int i = 0; json::serialize(dom).size() < target; ++i) {
        json::object entry;
        entry["account_id"] = "acct-" + std::to_string(100000 + i);
        entry["owner"] = "owner-" + std::to_string(i) + "@example.com";
        entry["seats"] = 10 + i;
        entry["ratio"] = 0.25 * i;
        entry["active"] = i % 2 == 0;
        entry["labels"] = json::array{"eu", "tier-" + std::to_string(i % 4), nullptr};
        meta["subsidiary_" + std::to_string(i)] = std::move(entry);
    }
    return json::serialize(dom);
}

// One decode of each contender; not inlined, so that callgrind can count each one alone
// (--toggle-collect, see --count).
[[gnu::noinline]] void typed_once(const std::string& body) {
    // A fresh response per call, as the client does.
    stytch::b2b::delete_external_id_response out;
    const auto ec = stytch::detail::decode_delete_external_id(200, body, out);
    sink = sink + static_cast<std::size_t>(ec.value()) + out.organization.custom_roles.size();
}

[[gnu::noinline]] void dom_once(const std::string& body) {
    json::error_code ec;
    const json::value v = json::parse(body, ec);
    sink = sink + v.as_object().size();
}

[[gnu::noinline]] void dom_monotonic_once(const std::string& body) {
    unsigned char buffer[16384];
    json::monotonic_resource mr(buffer, sizeof buffer);
    json::error_code ec;
    const json::value v = json::parse(body, ec, &mr);
    sink = sink + v.as_object().size();
}

struct row {
    std::string name;
    std::size_t bytes;
    double typed, dom, dom_monotonic;
};

}  // namespace

int main(int argc, char** argv) {
    std::string path = STYTCH_BENCH_DIR "/organization.json";
    int reps = 7;
    int ms = 300;
    bool as_json = false;
    int count = 0;  // > 0: decode the 1.7 KB body this many times with each contender, no timing
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc) {
            reps = std::atoi(argv[++i]);
        } else if (a == "--ms" && i + 1 < argc) {
            ms = std::atoi(argv[++i]);
        } else if (a == "--count" && i + 1 < argc) {
            count = std::atoi(argv[++i]);
        } else if (a == "--json") {
            as_json = true;
        } else if (a == "--help" || a == "-h" || a.starts_with("--")) {
            std::printf(
                "usage: stytch-decode-bench [BODY.json] [--reps N] [--ms M] [--json] [--count "
                "N]\n");
            return a == "--help" || a == "-h" ? 0 : 2;
        } else {
            path = a;
        }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "stytch-decode-bench: cannot open %s\n", path.c_str());
        return 2;
    }
    const std::string small{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string large = grow_metadata(small, 64 * 1024);

    std::vector<row> rows;
    for (const auto& [name, body] : {std::pair<std::string, const std::string&>{"1.7 KB", small},
                                     std::pair<std::string, const std::string&>{"64 KB", large}}) {
        {
            stytch::b2b::delete_external_id_response check;
            if (const auto ec = stytch::detail::decode_delete_external_id(200, body, check)) {
                std::fprintf(stderr, "stytch-decode-bench: %s body does not decode: %s\n",
                             name.c_str(), ec.message().c_str());
                return 1;
            }
        }
        auto typed = [&] { typed_once(body); };
        auto dom = [&] { dom_once(body); };
        auto dom_monotonic = [&] { dom_monotonic_once(body); };
        if (count > 0) {
            for (int i = 0; i < count; ++i) {
                typed();
                dom();
                dom_monotonic();
            }
            return 0;
        }
        std::vector<double> t, d, m;
        measure(typed, body.size(), ms / 3);  // warm-up
        measure(dom, body.size(), ms / 3);
        for (int r = 0; r < reps; ++r) {
            t.push_back(measure(typed, body.size(), ms));
            d.push_back(measure(dom, body.size(), ms));
            m.push_back(measure(dom_monotonic, body.size(), ms));
        }
        rows.push_back({name, body.size(), median(t), median(d), median(m)});
    }

    if (as_json) {
        std::printf("[");
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            std::printf(
                "%s{\"body\":\"%s\",\"bytes\":%zu,\"typed_mb_s\":%.1f,\"dom_mb_s\":%.1f,"
                "\"dom_monotonic_mb_s\":%.1f,\"ratio\":%.3f}",
                i ? "," : "", r.name.c_str(), r.bytes, r.typed, r.dom, r.dom_monotonic,
                r.typed / r.dom);
        }
        std::printf("]\n");
        return 0;
    }
    std::printf("%-8s %8s %14s %14s %14s %16s\n", "body", "bytes", "typed MB/s", "DOM MB/s",
                "DOM+mono MB/s", "typed/DOM ratio");
    for (const auto& r : rows) {
        std::printf("%-8s %8zu %14.1f %14.1f %14.1f %15.2fx\n", r.name.c_str(), r.bytes, r.typed,
                    r.dom, r.dom_monotonic, r.typed / r.dom);
    }
    std::printf(
        "(median of %d repetitions of %d ms each, contenders alternated; DOM = "
        "boost::json::parse with the default resource, DOM+mono = with a "
        "monotonic_resource over a 16 KB stack buffer)\n",
        reps, ms);
    return 0;
}
