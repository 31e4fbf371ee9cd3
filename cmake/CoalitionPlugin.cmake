# coalition_add_plugin(<id> SOURCES <files>... [LIBRARIES <targets>...] [OUTPUT_DIR <dir>])
#
# Builds lib<id>.so the way partner plugins must be built: a MODULE library that sees only the
# public SDK (Coalition::sdk), hidden visibility so that the entry symbol is its only export,
# -fno-gnu-unique so that separately built plugins never bind to each other's copies of inline
# statics, and --no-undefined so that a missing symbol fails the link, not the load.
function(coalition_add_plugin id)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "coalition_add_plugin(${id}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${COALITION_PLUGIN_OUTPUT_DIR}")
  endif()
  add_library(${id} MODULE ${ARG_SOURCES})
  target_link_libraries(${id} PRIVATE Coalition::sdk ${ARG_LIBRARIES})
  target_compile_options(${id} PRIVATE -fno-gnu-unique)
  target_link_options(${id} PRIVATE LINKER:--no-undefined LINKER:--exclude-libs,ALL)
  set_target_properties(${id} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "${id}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
endfunction()
