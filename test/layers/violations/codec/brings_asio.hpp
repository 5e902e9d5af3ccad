#pragma once

// A public header that brings Asio with it: not for the codec.
#include <stytch/client.hpp>
