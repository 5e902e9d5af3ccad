#pragma once

/// @file
/// Umbrella header.

#include <stytch/b2b/organization.hpp>
#include <stytch/b2b/organizations.hpp>
#include <stytch/client.hpp>
#include <stytch/config.hpp>
#include <stytch/error.hpp>
#include <stytch/result.hpp>
#include <stytch/stats.hpp>
#include <stytch/version.hpp>
