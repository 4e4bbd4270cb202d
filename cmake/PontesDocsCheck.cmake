# cmake -DLOG=<doxygen warning log> -P PontesDocsCheck.cmake: fail when Doxygen warned.
if(EXISTS "${LOG}")
  file(READ "${LOG}" _warnings)
  string(STRIP "${_warnings}" _warnings)
  if(NOT _warnings STREQUAL "")
    message(FATAL_ERROR "Doxygen warnings (fix them in the header comments / templates):\n${_warnings}")
  endif()
endif()
