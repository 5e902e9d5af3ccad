# Install and export rules: headers, libstytch, libstytch_mock (when built), the two executables,
# a CMake config package (find_package(stytch CONFIG)) and a pkg-config file (stytch.pc).
# Included from the top-level CMakeLists.txt when STYTCH_INSTALL is on.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(STYTCH_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/stytch
    CACHE STRING "Where stytchConfig.cmake is installed, relative to the prefix")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/stytch
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
set(stytch_export_targets stytch)
if(TARGET stytch_mock)
    list(APPEND stytch_export_targets stytch_mock)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/tools/stytch-mock/include/stytch
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
    # The sample organizations, for `stytch-mock --seed <datadir>/stytch/organizations.json`.
    install(FILES ${PROJECT_SOURCE_DIR}/tools/stytch-mock/organizations.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/stytch)
endif()
if(TARGET stytch-mock)
    install(TARGETS stytch-mock RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(TARGETS ${stytch_export_targets} EXPORT stytchTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT stytchTargets NAMESPACE stytch:: DESTINATION ${STYTCH_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/stytchConfig.cmake.in
    ${PROJECT_BINARY_DIR}/stytchConfig.cmake INSTALL_DESTINATION ${STYTCH_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stytchConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stytchConfig.cmake ${PROJECT_BINARY_DIR}/stytchConfigVersion.cmake
    DESTINATION ${STYTCH_INSTALL_CMAKEDIR})

# pkg-config: the prefix is found relative to the .pc file (${pcfiledir}), so the file is right
# for `cmake --install --prefix DIR` and a moved tree alike.
file(RELATIVE_PATH STYTCH_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" STYTCH_PC_TO_PREFIX "${STYTCH_PC_TO_PREFIX}")
set(STYTCH_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(STYTCH_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/stytch.pc.in ${PROJECT_BINARY_DIR}/stytch.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stytch.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
