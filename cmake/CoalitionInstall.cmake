# What `cmake --install` puts under the prefix. The layout is the build tree's: the engine finds
# its plugins and the plugin host beside itself (bin/, lib/coalition/plugins/).
#   bin/coalition, bin/coalition-plugin-host          the engine
#   lib/coalition/plugins/lib<id>.so, <id>.plugin.json the plugins shipped with it, and their
#                                                     manifests (which pin each library's SHA-256:
#                                                     never strip the installed libraries — no
#                                                     `cmake --install --strip`, no dh_strip — or
#                                                     regenerate the manifests after)
#   include/coalition/                                the SDK headers
#   lib/cmake/Coalition/                              find_package(Coalition): Coalition::sdk,
#                                                     Coalition::coalition, coalition_add_plugin(),
#                                                     the export script
#   lib/pkgconfig/coalition.pc                        the SDK for builds without CMake
include(CMakePackageConfigHelpers)

# Exported too: a plugin project runs its cases with Coalition::coalition (`plugin test`).
set_target_properties(coalition-plugin-host PROPERTIES EXPORT_NAME plugin_host)
install(TARGETS coalition coalition-plugin-host EXPORT CoalitionTargets RUNTIME DESTINATION bin)
install(TARGETS ${COALITION_SHIPPED_PLUGINS} LIBRARY DESTINATION lib/coalition/plugins)
foreach(_plugin IN LISTS COALITION_SHIPPED_PLUGINS)
  get_target_property(_manifest ${_plugin} COALITION_MANIFEST)
  install(FILES "${_manifest}" DESTINATION lib/coalition/plugins)
endforeach()

install(DIRECTORY "${PROJECT_SOURCE_DIR}/core/include/coalition" DESTINATION include)
set_target_properties(coalition_sdk PROPERTIES EXPORT_NAME sdk)
install(TARGETS coalition_sdk EXPORT CoalitionTargets INCLUDES DESTINATION include)
install(EXPORT CoalitionTargets NAMESPACE Coalition:: DESTINATION lib/cmake/Coalition)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/CoalitionConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/sdk/CoalitionConfig.cmake"
                              INSTALL_DESTINATION lib/cmake/Coalition)
# 0.x: a minor version may change the SDK, so only the same minor is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/sdk/CoalitionConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/sdk/CoalitionConfig.cmake"
              "${PROJECT_BINARY_DIR}/sdk/CoalitionConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/CoalitionPlugin.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/coalition_plugin.map"
        DESTINATION lib/cmake/Coalition)

configure_file("${PROJECT_SOURCE_DIR}/cmake/coalition.pc.in"
               "${PROJECT_BINARY_DIR}/sdk/coalition.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/sdk/coalition.pc" DESTINATION lib/pkgconfig)
