# coalition_add_plugin(<id> SOURCES <files>... [LIBRARIES <targets>...] [OUTPUT_DIR <dir>])
#
# Builds lib<id>.so the way every Coalition plugin must be built, in this tree and out of it
# (installed with the SDK: find_package(Coalition) provides it): a MODULE library that sees
# only the public SDK (Coalition::sdk); a linker version script that makes the entry symbol its
# only dynamic export; hidden visibility; -fno-gnu-unique so that separately built plugins never
# bind to each other's copies of inline statics; and --no-undefined so that a missing symbol
# fails the link, not the load. OUTPUT_DIR defaults to COALITION_PLUGIN_OUTPUT_DIR when set
# (this tree), else the current binary directory.
set(_COALITION_PLUGIN_EXPORTS "${CMAKE_CURRENT_LIST_DIR}/coalition_plugin.map")

function(coalition_add_plugin id)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "coalition_add_plugin(${id}): SOURCES is required")
  endif()
  if(NOT id MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "coalition_add_plugin(${id}): a plugin id is [a-z][a-z0-9_]*")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    if(COALITION_PLUGIN_OUTPUT_DIR)
      set(ARG_OUTPUT_DIR "${COALITION_PLUGIN_OUTPUT_DIR}")
    else()
      set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    endif()
  endif()
  add_library(${id} MODULE ${ARG_SOURCES})
  target_link_libraries(${id} PRIVATE Coalition::sdk ${ARG_LIBRARIES})
  target_compile_options(${id} PRIVATE -fno-gnu-unique)
  target_link_options(${id} PRIVATE LINKER:--no-undefined LINKER:--exclude-libs,ALL
                      "LINKER:--version-script=${_COALITION_PLUGIN_EXPORTS}")
  set_property(TARGET ${id} APPEND PROPERTY LINK_DEPENDS "${_COALITION_PLUGIN_EXPORTS}")
  set_target_properties(${id} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "${id}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
endfunction()
