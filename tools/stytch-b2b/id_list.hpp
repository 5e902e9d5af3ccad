#pragma once

// The inputs of a bulk run: the ids to call (one a line) and, to resume, the ids a previous
// run's output says succeeded. Sans-io: streams in, values out.

#include <cstddef>
#include <istream>
#include <string>
#include <unordered_set>
#include <vector>

namespace stytch::cli {

/// One id of the input, with its line number (from 1) for messages.
struct id_entry {
    std::size_t line = 0;
    std::string id;
    /// Why the id is not sent (a control character, inner whitespace); empty when it is usable.
    std::string invalid;
};

/// The ids of `in`, one a line: surrounding whitespace (a CR of CRLF included) is trimmed;
/// blank lines and lines starting with `#` are skipped.
std::vector<id_entry> read_ids(std::istream& in);

/// What a previous run's JSON Lines output says.
struct resume_state {
    std::unordered_set<std::string> succeeded;  ///< ids whose line has "status":"success"
    std::size_t unreadable_lines = 0;           ///< lines that are not such JSON objects
};

/// Reads a previous output of `delete-external-id --ids`; a line that does not parse (a
/// line cut short when the run was killed) is counted, and its id will be called again.
resume_state read_resume(std::istream& in);

}  // namespace stytch::cli
