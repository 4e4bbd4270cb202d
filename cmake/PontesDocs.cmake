# `docs` target: Doxygen HTML of the public headers into <build>/docs/html.
#   runtime/include/pontes/pontes.h and every generated/*/include/pontes/*.h (discovered at
#   configure time). Warnings are written to <build>/docs/doxygen-warnings.log; the target
#   fails when that log is not empty (zero warnings is the rule: fix them in the headers or
#   the templates' comments). Without doxygen the target only prints how to install it.
find_package(Doxygen QUIET OPTIONAL_COMPONENTS dot)

set(PONTES_DOCS_OUT ${CMAKE_BINARY_DIR}/docs)
set(PONTES_DOCS_LOG ${PONTES_DOCS_OUT}/doxygen-warnings.log)
set(PONTES_DOCS_STRIP "${CMAKE_SOURCE_DIR}/runtime/include ${CMAKE_SOURCE_DIR}/generated")
file(GLOB _pontes_docs_api_headers ${CMAKE_SOURCE_DIR}/generated/*/include/pontes/*.h)
list(SORT _pontes_docs_api_headers)
set(_pontes_docs_headers ${CMAKE_SOURCE_DIR}/runtime/include/pontes/pontes.h ${_pontes_docs_api_headers})
list(JOIN _pontes_docs_headers " " PONTES_DOCS_INPUT)
# <API>_EXTERN(type) of each API header and PONTES_EXTERN read as plain declarations.
set(PONTES_DOCS_PREDEFINED "\"PONTES_EXTERN(t)=extern t\"")
foreach(_h ${_pontes_docs_api_headers})
  get_filename_component(_api ${_h} NAME_WE)
  string(TOUPPER ${_api} _API)
  string(APPEND PONTES_DOCS_PREDEFINED " \"${_API}_EXTERN(t)=extern t\"")
endforeach()

# (A partial source copy without docs/, like the ABI test's, gets no docs target.)
if(NOT EXISTS ${CMAKE_SOURCE_DIR}/docs/Doxyfile.in)
  return()
endif()

if(DOXYGEN_FOUND)
  if(TARGET Doxygen::dot)
    set(PONTES_DOCS_HAVE_DOT YES)
  else()
    set(PONTES_DOCS_HAVE_DOT NO)
  endif()
  configure_file(${CMAKE_SOURCE_DIR}/docs/Doxyfile.in ${PONTES_DOCS_OUT}/Doxyfile @ONLY)
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PONTES_DOCS_OUT}
    COMMAND ${CMAKE_COMMAND} -E remove -f ${PONTES_DOCS_LOG}
    COMMAND Doxygen::doxygen ${PONTES_DOCS_OUT}/Doxyfile
    COMMAND ${CMAKE_COMMAND} -DLOG=${PONTES_DOCS_LOG} -P ${CMAKE_SOURCE_DIR}/cmake/PontesDocsCheck.cmake
    DEPENDS ${_pontes_docs_headers} ${CMAKE_SOURCE_DIR}/docs/Doxyfile.in
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    COMMENT "Doxygen: ${PONTES_DOCS_OUT}/html/index.html"
    VERBATIM)
else()
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E echo "pontes: doxygen not found; install it (apt-get install doxygen graphviz) and re-run CMake"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
endif()

if(PONTES_BUILD_TESTS)
  if(DOXYGEN_FOUND)
    add_test(NAME docs_doxygen
             COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target docs)
    set_tests_properties(docs_doxygen PROPERTIES LABELS docs TIMEOUT 300)
  else()
    add_test(NAME docs_doxygen
             COMMAND sh -c "echo 'docs_doxygen: skipped: doxygen is not installed (apt-get install doxygen)'; exit 77")
    set_tests_properties(docs_doxygen PROPERTIES LABELS docs SKIP_RETURN_CODE 77)
  endif()
endif()
