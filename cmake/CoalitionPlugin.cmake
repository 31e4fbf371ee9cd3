# coalition_add_plugin(<id> SOURCES <files>... [LIBRARIES <targets>...] [OUTPUT_DIR <dir>]
#                      [NO_MANIFEST])
#
# Builds lib<id>.so the way every Coalition plugin must be built, in this tree and out of it
# (installed with the SDK: find_package(Coalition) provides it): a MODULE library that sees
# only the public SDK (Coalition::sdk); a linker version script that makes the entry symbol its
# only dynamic export; hidden visibility; -fno-gnu-unique so that separately built plugins never
# bind to each other's copies of inline statics; and --no-undefined so that a missing symbol
# fails the link, not the load. OUTPUT_DIR defaults to COALITION_PLUGIN_OUTPUT_DIR when set
# (this tree), else the current binary directory.
#
# After each link, `coalition plugin manifest` writes <id>.plugin.json beside the library from
# what the plugin's code declares, with the library's SHA-256: the engine discovers plugins by
# their manifests and refuses a library without one. The library is built with its install
# RPATH (none), so installing it does not change the bytes the manifest pins; do not strip it
# after the manifest is written. NO_MANIFEST is for libraries that cannot describe themselves
# (the engine's own tests of broken plugins).
set(_COALITION_PLUGIN_EXPORTS "${CMAKE_CURRENT_LIST_DIR}/coalition_plugin.map")

function(coalition_add_plugin id)
  cmake_parse_arguments(ARG "NO_MANIFEST" "OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
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
    BUILD_WITH_INSTALL_RPATH ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
  if(NOT ARG_NO_MANIFEST)
    if(NOT TARGET Coalition::coalition)
      message(FATAL_ERROR "coalition_add_plugin(${id}): the coalition command (Coalition::coalition) "
                          "is needed to write the plugin's manifest")
    endif()
    # In the engine's own tree the command is built first; an installed one is there already.
    get_target_property(_coalition_command Coalition::coalition ALIASED_TARGET)
    if(_coalition_command)
      add_dependencies(${id} ${_coalition_command})
    endif()
    add_custom_command(TARGET ${id} POST_BUILD
      COMMAND Coalition::coalition --log-level warn plugin manifest "$<TARGET_FILE:${id}>"
      COMMENT "Writing the manifest of plugin ${id}"
      VERBATIM)
    # Where it lands (beside the library, named after the library's id), for install rules.
    set_property(TARGET ${id} PROPERTY COALITION_MANIFEST "${ARG_OUTPUT_DIR}/${id}.plugin.json")
  endif()
endfunction()
