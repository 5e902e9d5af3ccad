# The `docs` target: HTML API reference of the public headers with Doxygen (Debian `doxygen`),
# with README.md and every docs/*.md as pages, into <build>/docs/html. Any Doxygen warning fails
# the build (WARN_AS_ERROR). Optional: without Doxygen there is no `docs` target.
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
    set(STYTCH_DOCS_OUTPUT ${PROJECT_BINARY_DIR}/docs)
    # A page added to docs/ is picked up at the next build.
    file(GLOB STYTCH_DOCS_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
    list(PREPEND STYTCH_DOCS_PAGES ${PROJECT_SOURCE_DIR}/README.md)
    list(JOIN STYTCH_DOCS_PAGES "\" \"" STYTCH_DOCS_PAGES)
    configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${STYTCH_DOCS_OUTPUT}/Doxyfile @ONLY)
    add_custom_target(docs
        COMMAND ${CMAKE_COMMAND} -E make_directory ${STYTCH_DOCS_OUTPUT}
        COMMAND ${CMAKE_COMMAND} -E remove -f ${STYTCH_DOCS_OUTPUT}/warnings.log
        COMMAND Doxygen::doxygen ${STYTCH_DOCS_OUTPUT}/Doxyfile
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        COMMENT "Doxygen: API reference in ${STYTCH_DOCS_OUTPUT}/html"
        VERBATIM)
endif()
