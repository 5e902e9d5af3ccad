#pragma once

/// @file
/// Umbrella header.

#include <stytch/as_result.hpp>
#include <stytch/b2b/organization.hpp>
#include <stytch/b2b/organizations.hpp>
#include <stytch/client.hpp>
#include <stytch/config.hpp>
#include <stytch/error.hpp>
#include <stytch/export.hpp>
#include <stytch/result.hpp>
#include <stytch/stats.hpp>
#include <stytch/version.hpp>
