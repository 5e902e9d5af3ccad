# cmake -DLAYER=<name> -DSOURCE_DIR=<dir> [-DMAX_LINES=<n>] -P check_layers.cmake
#
# Fails when a file of the layer SOURCE_DIR/LAYER includes a layer above it or a third-party
# header its layer may not use, or is longer than MAX_LINES (300: a longer file does more than
# one job, split it); run by the build before the layer compiles (src/CMakeLists.txt)
# and by the ctest `layers_refuse_violations` against test/layers. The layers, lowest first:
#
#   base            the error model, time arithmetic
#   codec           values and their encodings; no Asio, Beast, OpenSSL or nghttp2
#   protocol        sans-io machines over bytes: of the rest, nghttp2 and Beast's HTTP/1.1
#                   parser and string helpers only
#   engine          sans-io decisions; of Asio and Beast only their error values
#   transport       sockets and TLS; no engine or driver
#   driver          strands, timers, coroutines: may use everything
#
# Lower layers never see Asio's I/O objects, so their decisions are tested without sockets.

cmake_minimum_required(VERSION 3.25)

set(order base codec protocol engine transport driver)
# What each layer may include from the project: itself and the layers it builds on.
set(project_base base)
set(project_codec base codec)
set(project_protocol base codec protocol)
set(project_engine base codec protocol engine)
set(project_transport base codec protocol transport)
set(project_driver base codec protocol engine transport driver)

# Third-party headers (and the public headers that bring Asio) a layer may not include, and
# the exceptions each layer is allowed.
set(banned "^(boost/asio|boost/beast|openssl/|nghttp2/|stytch/(client|as_result|stytch|b2b/organizations)\\.hpp$)")
set(allowed_base "^$")
set(allowed_codec "^$")
set(allowed_protocol
    "^(nghttp2/nghttp2\\.h|boost/beast/http/basic_parser\\.hpp|boost/beast/http/error\\.hpp|boost/beast/core/flat_buffer\\.hpp|boost/beast/core/string\\.hpp)$")
set(allowed_engine
    "^(boost/asio/error\\.hpp|boost/asio/ssl/error\\.hpp|boost/beast/http/error\\.hpp)$")
set(allowed_transport ".")
set(allowed_driver ".")

get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
if(NOT LAYER IN_LIST order)
    message(FATAL_ERROR "check_layers: unknown layer '${LAYER}' (one of: ${order})")
endif()

if(NOT DEFINED MAX_LINES)
    set(MAX_LINES 300)
endif()

file(GLOB files ${SOURCE_DIR}/${LAYER}/*.hpp ${SOURCE_DIR}/${LAYER}/*.cpp)
set(violations "")
foreach(file IN LISTS files)
    file(RELATIVE_PATH where ${SOURCE_DIR} ${file})
    file(READ ${file} text)
    string(REGEX MATCHALL "\n" newlines "${text}")
    list(LENGTH newlines line_count)
    if(line_count GREATER MAX_LINES)
        string(APPEND violations "\n  ${where}: ${line_count} lines, over ${MAX_LINES}")
    endif()
    file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" header
                             "${line}")
        if(header MATCHES "^([a-z_]+)/" AND CMAKE_MATCH_1 IN_LIST order)
            if(NOT CMAKE_MATCH_1 IN_LIST project_${LAYER})
                string(APPEND violations
                       "\n  ${where}: includes ${header}, from layer ${CMAKE_MATCH_1} above ${LAYER}")
            endif()
        elseif(header MATCHES "${banned}" AND NOT header MATCHES "${allowed_${LAYER}}")
            string(APPEND violations "\n  ${where}: includes <${header}>, not for layer ${LAYER}")
        endif()
    endforeach()
endforeach()

if(violations)
    message(FATAL_ERROR "layer ${LAYER} breaks the layering or the file size limit (docs/architecture.md):${violations}")
endif()
