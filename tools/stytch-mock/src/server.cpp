// The public members of stytch::mock::server, and what every request goes through whatever
// its protocol: counting, recording, the override hook, the answer delay.

#include <stytch/mock/server.hpp>

#include "http_text.hpp"
#include "server_impl.hpp"

#include <fstream>
#include <stdexcept>

namespace stytch::mock {

std::string recorded_request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (detail::iequals(key, name)) {
            return value;
        }
    }
    return {};
}

/// Counts and records a complete request; the override hook's answer, if it gives one.
std::optional<reply> server::impl::take_request(const recorded_request& request) {
    std::shared_ptr<const hook_type> current_hook;
    received.fetch_add(1);
    {
        std::lock_guard lock(mutex);
        if (opts.record_requests) {
            requests.push_back(request);
        }
        current_hook = hook;
    }
    if (!current_hook || !*current_hook) {
        return std::nullopt;
    }
    try {
        return (*current_hook)(request);
    } catch (const std::exception& e) {
        return error(500, "internal_server_error",
                     std::string("The override hook threw: ") + e.what());
    } catch (...) {
        return error(500, "internal_server_error", "The override hook threw.");
    }
}

/// The wait before an answer: `answer_delay`, or a uniform draw up to `answer_delay_max`.
std::chrono::milliseconds server::impl::answer_delay() {
    if (opts.answer_delay_max <= opts.answer_delay) {
        return opts.answer_delay;
    }
    std::uniform_int_distribution<std::chrono::milliseconds::rep> draw(
        opts.answer_delay.count(), opts.answer_delay_max.count());
    std::lock_guard lock(mutex);
    return std::chrono::milliseconds(draw(rng));
}

server::server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

server::~server() {
    if (impl_) {
        impl_->stop();
    }
}

void server::stop() {
    impl_->stop();
}

std::uint16_t server::port() const {
    return impl_->bound_port;
}

std::string server::base_url() const {
    const std::string& address = impl_->opts.address;
    const bool v6 = address.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + address + "]" : address) + ":" +
           std::to_string(impl_->bound_port) + impl_->prefix;
}

const tls_identity& server::identity() const {
    return impl_->identity;
}

void server::write_ca_file(const std::string& path) const {
    const std::string& pem = impl_->identity.ca_certificate_pem;
    if (pem.empty()) {
        throw std::runtime_error("stytch::mock::server: no CA certificate to write");
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << pem;
    out.close();
    if (!out) {
        throw std::runtime_error("stytch::mock::server: cannot write '" + path + "'");
    }
}

void server::set_override(std::function<std::optional<reply>(const recorded_request&)> hook) {
    auto shared = hook ? std::make_shared<const hook_type>(std::move(hook)) : nullptr;
    std::lock_guard lock(impl_->mutex);
    impl_->hook = std::move(shared);
}

std::size_t server::connections_accepted() const {
    return impl_->accepted.load();
}

std::size_t server::connections_open() const {
    return impl_->open.load();
}

std::size_t server::script_steps_completed() const {
    return impl_->steps_completed.load();
}

std::size_t server::scripts_running() const {
    return impl_->scripts_active.load();
}

std::size_t server::goaways_received() const {
    return impl_->goaways.load();
}

std::size_t server::close_notifies_received() const {
    return impl_->close_notifies.load();
}

std::vector<std::vector<std::string>> server::alpn_offers() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->alpn_offers;
}

std::size_t server::requests_received() const {
    return impl_->received.load();
}

std::vector<recorded_request> server::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

void server::clear_requests() {
    std::lock_guard lock(impl_->mutex);
    impl_->requests.clear();
}

}  // namespace stytch::mock
