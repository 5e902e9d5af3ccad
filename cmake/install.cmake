# Install and export rules: headers, libstytch, libstytch_mock (when built), the two executables,
# a CMake config package (find_package(stytch CONFIG)) and a pkg-config file (stytch.pc).
# Included from the top-level CMakeLists.txt when STYTCH_INSTALL is on.
#
# Install components, one Debian package each (cmake/package.cmake):
#   runtime  libstytch.so.<soversion> (shared builds only)
#   dev      headers, libstytch.so / libstytch.a, libstytch_mock.a, CMake and pkg-config files
#   tools    stytch-b2b, stytch-mock and the mock's sample organizations
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(STYTCH_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/stytch
    CACHE STRING "Where stytchConfig.cmake is installed, relative to the prefix")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/stytch
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.hpp")
set(stytch_export_targets stytch)
if(TARGET stytch_mock)
    list(APPEND stytch_export_targets stytch_mock)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/tools/stytch-mock/include/stytch
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.hpp")
endif()
if(TARGET stytch-mock)
    install(TARGETS stytch-mock RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
    # The sample organizations, for `stytch-mock --seed <datadir>/stytch/organizations.json`.
    install(FILES ${PROJECT_SOURCE_DIR}/tools/stytch-mock/organizations.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/stytch COMPONENT tools)
endif()
if(TARGET stytch-b2b)
    install(TARGETS stytch-b2b RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
endif()

install(TARGETS ${stytch_export_targets} EXPORT stytchTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT stytchTargets NAMESPACE stytch:: DESTINATION ${STYTCH_INSTALL_CMAKEDIR}
    COMPONENT dev)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/stytchConfig.cmake.in
    ${PROJECT_BINARY_DIR}/stytchConfig.cmake INSTALL_DESTINATION ${STYTCH_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stytchConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stytchConfig.cmake ${PROJECT_BINARY_DIR}/stytchConfigVersion.cmake
    DESTINATION ${STYTCH_INSTALL_CMAKEDIR} COMPONENT dev)

# pkg-config: the prefix is found relative to the .pc file (${pcfiledir}), so the file is right
# for `cmake --install --prefix DIR` and a moved tree alike.
file(RELATIVE_PATH STYTCH_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" STYTCH_PC_TO_PREFIX "${STYTCH_PC_TO_PREFIX}")
set(STYTCH_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(STYTCH_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
# Boost.JSON is used by the public headers; Boost.URL, OpenSSL and nghttp2 only inside the
# library, so a shared libstytch lists them as private (for `pkg-config --static`), a static
# one as needed.
if(BUILD_SHARED_LIBS)
    set(STYTCH_PC_REQUIRES "")
    set(STYTCH_PC_REQUIRES_PRIVATE "openssl libnghttp2")
    set(STYTCH_PC_LIBS "-lboost_json")
    set(STYTCH_PC_LIBS_PRIVATE "-lboost_url")
else()
    set(STYTCH_PC_REQUIRES "openssl libnghttp2")
    set(STYTCH_PC_REQUIRES_PRIVATE "")
    set(STYTCH_PC_LIBS "-lboost_url -lboost_json")
    set(STYTCH_PC_LIBS_PRIVATE "")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/stytch.pc.in ${PROJECT_BINARY_DIR}/stytch.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stytch.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    COMPONENT dev)
