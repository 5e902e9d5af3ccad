#pragma once

// The engine may not include the driver above it: check_layers.cmake must refuse it.
#include "driver/connection.hpp"
