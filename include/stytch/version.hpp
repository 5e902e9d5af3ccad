#pragma once

/// @file
/// Library version, also used for the default User-Agent.

#define STYTCH_VERSION_MAJOR 0
#define STYTCH_VERSION_MINOR 1
#define STYTCH_VERSION_PATCH 0
#define STYTCH_VERSION_STRING "0.1.0"
