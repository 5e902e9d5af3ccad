#pragma once

// A sans-io layer that reaches for Asio's I/O objects: check_layers.cmake must refuse it.
#include <boost/asio/steady_timer.hpp>
