# cmake -DCSV=<file> -P check_csv.cmake — the CSV of `pontes-bench --csv` has its header and a row
# of every section and of the figures of issue 9 (values are not checked: goals never fail a test).
file(STRINGS "${CSV}" _rows)
list(LENGTH _rows _n)
if(_n LESS 2)
  message(FATAL_ERROR "${CSV}: ${_n} lines")
endif()
list(GET _rows 0 _head)
if(NOT _head STREQUAL "section,figure,unit,baseline,pontes,ratio,goal,met")
  message(FATAL_ERROR "${CSV}: header is '${_head}'")
endif()
file(READ "${CSV}" _all)
foreach(_want
    "\"codec\",\"decode + free, instructions per pet\""
    "\"codec\",\"encode, instructions per pet\""
    "\"codec\",\"decode + free, wall time per pet\""
    "\"get\",\"client instructions per GET\""
    "\"get\",\"client mallocs per GET"
    "\"get\",\"wall time per GET\""
    "\"memory\",\"client overhead of a decoded response"
    "\"memory\",\"error response (HTTP 500"
    "\"batch\",\"60 calls, concurrency 20: seq. vs batch (speed-up)\""
    "\"upload\",")
  string(FIND "${_all}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "${CSV}: no row ${_want}")
  endif()
endforeach()
foreach(_r IN LISTS _rows)
  if(NOT _r MATCHES "^section," AND NOT _r MATCHES ",\"(met|MISS|info|n/a)\"$")
    message(FATAL_ERROR "${CSV}: row without a met column: ${_r}")
  endif()
endforeach()
message(STATUS "${CSV}: ${_n} lines")
