# Debian packages with CPack: `cmake --build BUILD --target package` writes one .deb per install
# component (cmake/install.cmake) into BUILD. Configure with -DCMAKE_INSTALL_PREFIX=/usr for
# Debian's multiarch library directory; a shared build (-DBUILD_SHARED_LIBS=ON) gives all three:
#   libstytch<soversion>  the shared library
#   libstytch-dev         headers, CMake and pkg-config files, libstytch_mock.a
#   stytch-tools          stytch-b2b, stytch-mock and the mock's sample seed
# A static build gives libstytch-dev (with libstytch.a) and stytch-tools. docs/packaging.md.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stytch)
set(CPACK_PACKAGE_VENDOR "stytch-cpp")
set(CPACK_PACKAGE_CONTACT "stytch-cpp maintainers <stytch-cpp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree

set(stytch_runtime_package libstytch${STYTCH_SOVERSION})
set(stytch_runtime_depends
    "${stytch_runtime_package} (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
# What a consumer of the -dev package needs: what stytchConfig.cmake and stytch.pc look up (Boost
# 1.81 json and url, OpenSSL 3, nghttp2 through pkg-config). scripts/check-package derives that
# set from the installed files and fails when this list misses one.
set(stytch_dev_depends
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev, libnghttp2-dev (>= 1.52), pkg-config")

# Shared-library dependencies come from dpkg-shlibdeps when it is installed (dpkg-dev), else from
# this explicit list (Debian 12's packages of what libstytch and the tools link).
find_program(STYTCH_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(STYTCH_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    # Where it finds libstytch.so.<soversion> for the tools (the package beside them).
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/src)
    set(stytch_binary_depends "")
else()
    set(stytch_binary_depends
        "libboost-json1.81.0, libboost-url1.81.0, libssl3, libnghttp2-14, libstdc++6, libgcc-s1, libc6")
endif()

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${stytch_runtime_package})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "${stytch_binary_depends}")
# The runtime package's shlibs file (programs built against 0.1.x need libstytch0.1 >= that) and
# its postinst/postrm running ldconfig.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "C++20 client for the Stytch B2B API (shared library)")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libstytch-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "C++20 client for the Stytch B2B API (headers, CMake and pkg-config files, mock library)")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME stytch-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "Stytch B2B command-line client (stytch-b2b) and mock server (stytch-mock)")

if(BUILD_SHARED_LIBS)
    set(CPACK_COMPONENTS_ALL runtime dev tools)
    set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${stytch_runtime_depends}, ${stytch_dev_depends}")
    # The tools need the runtime package beside them, which no installed package provides (so
    # dpkg-shlibdeps cannot name it): named here.
    if(stytch_binary_depends)
        set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${stytch_runtime_depends}, ${stytch_binary_depends}")
    else()
        set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${stytch_runtime_depends}")
    endif()
else()
    set(CPACK_COMPONENTS_ALL dev tools)
    set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${stytch_dev_depends}")
    set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${stytch_binary_depends}")
endif()

if(NOT TARGET stytch-b2b)  # STYTCH_BUILD_TOOLS=OFF
    list(REMOVE_ITEM CPACK_COMPONENTS_ALL tools)
endif()

include(CPack)
