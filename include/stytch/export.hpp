#pragma once

/// @file
/// The export macro of the shared library.

/// Marks a public class or function as part of the library's binary interface.
///
/// libstytch is compiled with hidden visibility: only declarations marked with this macro are
/// exported from `libstytch.so`; everything else (the engine, the codec, the connection pool)
/// stays internal, so it can change without breaking programs linked against the library. The
/// macro is the same when building and when using the library (ELF needs no import marker); it
/// expands to nothing on compilers without the GCC visibility attribute.
#if defined(__GNUC__) || defined(__clang__)
#define STYTCH_EXPORT __attribute__((visibility("default")))
#else
#define STYTCH_EXPORT
#endif
