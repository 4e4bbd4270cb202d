# Find a Python 3 interpreter that has Jinja2 and PyYAML (build-time only: the generator,
# and the Python-driven tests). -DPONTES_PYTHON=/path/to/python3 names the one to use (and
# only that one); otherwise python3 on PATH, then /usr/bin/python3, /usr/local/bin/python3.
# Sets PONTES_PYTHON_EXE ("" when none is usable) and PONTES_PYTHON_TRIED (for messages).
# Without one, an up-to-date committed generated/ still builds (generated/CMakeLists.txt
# fails only when generated/ is stale) and the tests are not configured.
set(_pontes_py_candidates)
if(PONTES_PYTHON)
  list(APPEND _pontes_py_candidates "${PONTES_PYTHON}")
else()
  find_program(_pontes_path_python3 NAMES python3)
  if(_pontes_path_python3)
    list(APPEND _pontes_py_candidates "${_pontes_path_python3}")
  endif()
  list(APPEND _pontes_py_candidates /usr/bin/python3 /usr/local/bin/python3)
endif()
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
list(JOIN _pontes_py_candidates ", " PONTES_PYTHON_TRIED)
if(PONTES_PYTHON_EXE)
  message(STATUS "pontes: generator Python: ${PONTES_PYTHON_EXE}")
else()
  message(STATUS "pontes: no Python 3 with Jinja2 and PyYAML (tried: ${PONTES_PYTHON_TRIED}); "
                 "building the committed generated/ as is")
endif()
