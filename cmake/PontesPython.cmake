# Find a Python 3 interpreter that has Jinja2 and PyYAML (build-time only: the
# generator). Tries PONTES_PYTHON, then python3 on PATH, then /usr/bin/python3.
set(_pontes_py_candidates)
if(PONTES_PYTHON)
  list(APPEND _pontes_py_candidates "${PONTES_PYTHON}")
endif()
find_program(_pontes_path_python3 NAMES python3)
if(_pontes_path_python3)
  list(APPEND _pontes_py_candidates "${_pontes_path_python3}")
endif()
list(APPEND _pontes_py_candidates /usr/bin/python3 /usr/local/bin/python3)
set(PONTES_PYTHON_EXE "")
foreach(_py IN LISTS _pontes_py_candidates)
  if(EXISTS "${_py}")
    execute_process(COMMAND "${_py}" -c "import sys, jinja2, yaml; assert sys.version_info >= (3, 8)"
                    RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
    if(_rc EQUAL 0)
      set(PONTES_PYTHON_EXE "${_py}")
      break()
    endif()
  endif()
endforeach()
if(NOT PONTES_PYTHON_EXE)
  message(FATAL_ERROR
    "pontes: no Python 3 with Jinja2 and PyYAML found (tried: ${_pontes_py_candidates}).\n"
    "Install them with: sudo apt-get install python3-jinja2 python3-yaml\n"
    "or point -DPONTES_PYTHON=/path/to/python3 at an interpreter that has both.")
endif()
message(STATUS "pontes: generator Python: ${PONTES_PYTHON_EXE}")
