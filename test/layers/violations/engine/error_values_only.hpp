#pragma once

// Allowed: the engine compares Asio's error values, and includes the layers below it.
#include <boost/asio/error.hpp>

#include "protocol/http_answer.hpp"
