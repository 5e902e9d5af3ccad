#pragma once

/// @file
/// Library version, also used for the default User-Agent.

/// Major version: incompatible API changes (0: the API may still change between minors).
#define STYTCH_VERSION_MAJOR 0
/// Minor version.
#define STYTCH_VERSION_MINOR 1
/// Patch version.
#define STYTCH_VERSION_PATCH 0
/// "MAJOR.MINOR.PATCH", as in the default `User-Agent` (`Stytch C++ v0.1.0`).
#define STYTCH_VERSION_STRING "0.1.0"
