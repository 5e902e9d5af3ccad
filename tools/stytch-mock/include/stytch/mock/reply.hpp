#pragma once

/// @file
/// What an override hook of the mock server answers instead of the normal handling (`reply`),
/// scripted answers (`script_step`) and their bytes (`render`); part of
/// `<stytch/mock/server.hpp>`.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace stytch::mock {

/// One step of a scripted answer (`reply::kind::script`): exact bytes, exact TLS record
/// boundaries, exact timing.
///
/// Write steps that follow each other without a delay are corked (TCP_CORK): their records
/// leave together, so a stray answer written right after the real one reaches the client in
/// the same TCP segment. Before a delay, before any other action and at the end of the script,
/// what was written is pushed out and the server waits (at most 1 s) until the client's TCP has
/// acknowledged it; only then do those steps count in `server::script_steps_completed()`.
struct script_step {
    /// What the step does.
    enum class kind {
        /// Write `bytes`, `repeat` times, in TLS records of at most `record_size` bytes each.
        write,
        /// Write what the normal handling answers to this request (the override hook is not
        /// asked again; the store is changed as usual), keep-alive, in one record per 16 KiB.
        normal_answer,
        /// Send a TLS close_notify and keep the TCP connection open; the server then only
        /// waits for the client to close (at most `server_options::keep_alive_timeout`).
        close_notify,
        /// close_notify, then close the TCP connection (FIN): a graceful close.
        shutdown,
        /// Close the TCP connection (FIN) without a close_notify.
        fin,
        /// Reset the TCP connection (RST, SO_LINGER 0) once the client acknowledged what was
        /// written.
        reset,
    };
    /// The action.
    kind action = kind::write;
    /// Waited before the step.
    std::chrono::milliseconds delay{0};
    /// For `write`: the bytes, sent as they are (nothing is added).
    std::string bytes{};
    /// For `write`: how many times `bytes` is written; floods keep the server's memory bounded.
    std::size_t repeat = 1;
    /// For `write`: the maximum plaintext size of one TLS record; 0 means 16 KiB. For
    /// `normal_answer` with an `interval`: the size of each piece of the body.
    std::size_t record_size = 0;
    /// For `normal_answer`: when not 0, a slow body: the status line and headers go out at
    /// once, then the body in pieces of `record_size` bytes (0: 16 bytes), each pushed out
    /// alone with this wait before it.
    std::chrono::milliseconds interval{0};

    /// A `write` step.
    static script_step write(std::string bytes, std::chrono::milliseconds delay = {},
                             std::size_t record_size = 0) {
        script_step s;
        s.bytes = std::move(bytes);
        s.delay = delay;
        s.record_size = record_size;
        return s;
    }
    /// A `write` step sending `bytes` `repeat` times (a flood).
    static script_step flood(std::string bytes, std::size_t repeat,
                             std::chrono::milliseconds delay = {}) {
        script_step s = write(std::move(bytes), delay);
        s.repeat = repeat;
        return s;
    }
    /// A step of another kind than `write`.
    static script_step of(kind action, std::chrono::milliseconds delay = {}) {
        script_step s;
        s.action = action;
        s.delay = delay;
        return s;
    }
    /// A `normal_answer` step.
    static script_step normal_answer(std::chrono::milliseconds delay = {}) {
        return of(kind::normal_answer, delay);
    }
    /// A `normal_answer` step whose body trickles: `piece` bytes every `interval`.
    static script_step slow_answer(std::size_t piece, std::chrono::milliseconds interval) {
        script_step s = of(kind::normal_answer);
        s.record_size = piece;
        s.interval = interval;
        return s;
    }
};

/// What an override hook answers instead of the normal handling.
struct reply {
    /// What the server does with the connection.
    enum class kind {
        respond,               ///< answer with `status`, `body`, `headers`
        close_without_answer,  ///< close the TCP connection at once, without TLS close_notify
        stall,                 ///< never answer (until the client gives up or the server stops)
        /// Send the first `partial_bytes` bytes of the answer, then reset the TCP connection
        /// (SO_LINGER 0: RST, no FIN, no TLS close_notify).
        reset_mid_answer,
        /// Send the status line and headers of the answer (Content-Length of the whole body),
        /// then nothing more, like `stall`.
        headers_then_stall,
        /// Send the headers with the Content-Length of the whole `body` but only its first
        /// `partial_bytes` bytes, then close the connection (TLS close_notify, then TCP).
        truncated_body,
        /// Send `raw` as-is (invalid HTTP, oversized headers, ...). The connection is closed
        /// afterwards only with `close_after`; otherwise the next request is read from it.
        raw,
        /// Answer `status` with `Content-Length: stream_size` and a body of `body` followed by
        /// spaces up to `stream_size` bytes, generated and written in chunks of `chunk_size`:
        /// memory stays bounded whatever the size. Stops when the client goes away.
        stream_body,
        /// Run `script`, step by step, on this connection. A failed write (the client went
        /// away) or `server::stop()` ends it. When no step closed the connection, the server
        /// then reads the next request from it.
        script,
    };
    /// The behaviour; `respond` by default.
    kind action = kind::respond;
    /// HTTP status of the answer (`respond`, `headers_then_stall`, `stream_body`, ...).
    int status = 200;
    /// Body of the answer, usually JSON.
    std::string body{};
    /// Extra headers. Content-Type (default application/json) and Content-Length (default the
    /// body's size) given here replace the server's; `Connection: close` acts as `close_after`.
    std::vector<std::pair<std::string, std::string>> headers{};
    /// Send `Connection: close` and close the connection after the answer.
    bool close_after = false;
    /// For `reset_mid_answer` and `truncated_body`: how many bytes go out before the fault.
    std::size_t partial_bytes = 0;
    /// For `raw`: the exact bytes sent.
    std::string raw{};
    /// For `stream_body`: the body size announced and sent.
    std::size_t stream_size = 0;
    /// For `stream_body`: the size of each write.
    std::size_t chunk_size = 64 * 1024;
    /// For `script`: the steps, in order.
    std::vector<script_step> script{};
};

/// The bytes of the answer a `respond` reply describes, as the server sends them on a
/// keep-alive connection: status line, headers (Content-Type and Content-Length included),
/// body. For building scripts, e.g. an answer followed by a second, unsolicited one.
std::string render(const reply& r);

}  // namespace stytch::mock
