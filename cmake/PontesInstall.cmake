# Install rules, CMake package (find_package(pontes)) and pkg-config files.
# Included at the end of the top-level CMakeLists.txt, after runtime/, generated/,
# tools/ and tests/ have defined their targets.
#
# Installed layout (relative to the prefix):
#   include/pontes/pontes.h, include/pontes/<api>.h
#   lib/libpontes.so*, lib/libpontes.a, lib/libpontes_<api>.so*, lib/libpontes_<api>.a
#   lib/cmake/pontes/{pontesConfig,pontesConfigVersion,pontesTargets*}.cmake
#   lib/pkgconfig/pontes.pc, lib/pkgconfig/pontes-<api>.pc
#   bin/pontes                                        (when the CLI target exists)
include(CMakePackageConfigHelpers)

set(PONTES_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/pontes"
    CACHE STRING "Where pontesConfig.cmake is installed (relative to the prefix)")
mark_as_advanced(PONTES_INSTALL_CMAKEDIR)

# ---- targets ---------------------------------------------------------------
set_target_properties(pontes PROPERTIES EXPORT_NAME runtime)
set_target_properties(pontes_static PROPERTIES EXPORT_NAME runtime_static)

# Every generated API registers its two libraries in PONTES_API_TARGETS. The generator
# tests (tests/generator) build fixture APIs from the same template into the build tree;
# those are test material, not part of the package: only install APIs under generated/.
get_property(_pontes_all_api_targets GLOBAL PROPERTY PONTES_API_TARGETS)
set(_pontes_api_targets)
set(PONTES_INSTALLED_APIS)
foreach(_t IN LISTS _pontes_all_api_targets)
  if(NOT TARGET ${_t})
    continue()
  endif()
  get_target_property(_sd ${_t} SOURCE_DIR)
  string(FIND "${_sd}/" "${PROJECT_SOURCE_DIR}/generated/" _pos)
  if(NOT _pos EQUAL 0)
    continue()
  endif()
  list(APPEND _pontes_api_targets ${_t})
  get_target_property(_type ${_t} TYPE)
  if(_type STREQUAL "SHARED_LIBRARY")
    get_target_property(_api ${_t} EXPORT_NAME)
    if(NOT _api)
      string(REGEX REPLACE "^pontes_" "" _api "${_t}")
    endif()
    list(APPEND PONTES_INSTALLED_APIS ${_api})
    # The API's public header. (The generated fragment installs it as well; installing it
    # here too lets the fragment's install() go, which would stop the generator-test
    # fixtures' headers — ks.h, legacy.h, ... — from landing in the package.)
    if(IS_DIRECTORY "${_sd}/include")
      install(DIRECTORY "${_sd}/include/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES _pontes_api_targets)
message(STATUS "pontes: APIs installed: ${PONTES_INSTALLED_APIS}")

install(TARGETS pontes pontes_static ${_pontes_api_targets}
        EXPORT pontesTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/pontes/pontes.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pontes)

if(TARGET pontes_cli)
  # Find libpontes*.so next to bin/ without LD_LIBRARY_PATH.
  get_target_property(_rp pontes_cli INSTALL_RPATH)
  if(NOT _rp)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
      set_target_properties(pontes_cli PROPERTIES INSTALL_RPATH "${CMAKE_INSTALL_LIBDIR}")
    else()
      file(RELATIVE_PATH _bin_to_lib "/_p/${CMAKE_INSTALL_BINDIR}" "/_p/${CMAKE_INSTALL_LIBDIR}")
      set_target_properties(pontes_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_bin_to_lib}")
    endif()
  endif()
  install(TARGETS pontes_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# ---- CMake package -----------------------------------------------------------
install(EXPORT pontesTargets
        NAMESPACE pontes::
        FILE pontesTargets.cmake
        DESTINATION ${PONTES_INSTALL_CMAKEDIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/pontesConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pontesConfig.cmake
  INSTALL_DESTINATION ${PONTES_INSTALL_CMAKEDIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/pontesConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pontesConfig.cmake ${PROJECT_BINARY_DIR}/pontesConfigVersion.cmake
        DESTINATION ${PONTES_INSTALL_CMAKEDIR})

# ---- pkg-config ----------------------------------------------------------------
# Relocatable: prefix is derived from ${pcfiledir}, so `cmake --install --prefix X`
# and DESTDIR installs produce working files.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(_pc_libdir "${CMAKE_INSTALL_LIBDIR}")
  set(_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  file(RELATIVE_PATH _pc_up "/_p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_p")
  set(_pc_prefix "\${pcfiledir}/${_pc_up}")
  set(_pc_libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()

set(_pc_head "prefix=${_pc_prefix}
libdir=${_pc_libdir}
includedir=${_pc_includedir}
")
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/pontes.pc @ONLY CONTENT "${_pc_head}
Name: pontes
Description: pontes runtime for generated OpenAPI C clients (libcurl + cJSON)
Version: @PROJECT_VERSION@
Requires: libcjson
Requires.private: libcurl libcrypto
Libs: -L\${libdir} -lpontes
Libs.private: -lm -pthread
Cflags: -I\${includedir}
")
set(_pc_files ${PROJECT_BINARY_DIR}/pkgconfig/pontes.pc)
foreach(_api IN LISTS PONTES_INSTALLED_APIS)
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/pontes-${_api}.pc @ONLY CONTENT "${_pc_head}
Name: pontes-${_api}
Description: pontes generated C client for the ${_api} API
Version: @PROJECT_VERSION@
Requires: pontes = @PROJECT_VERSION@ libcjson
Requires.private: libcurl libcrypto
Libs: -L\${libdir} -lpontes_${_api}
Cflags: -I\${includedir}
")
  list(APPEND _pc_files ${PROJECT_BINARY_DIR}/pkgconfig/pontes-${_api}.pc)
endforeach()
install(FILES ${_pc_files} DESTINATION ${_pc_dir})
