# Warnings, sanitizers and the compiler cache, applied to every target in the tree.

find_program(COALITION_CCACHE ccache)
if(COALITION_CCACHE)
  # pch_defines/time_macros let ccache cache translation units that use the precompiled header.
  set(_launcher ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${COALITION_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_launcher})
endif()

add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wcast-align
                    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
                    -Wimplicit-fallthrough)

if(COALITION_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # Executables are linked at a fixed address: the instrumentation's data (a source location,
  # a type descriptor per check) gave a position-independent test binary 6.6 million
  # relocations, and relocating them was half of every process start (1.0 s -> 0.5 s for a
  # test that does nothing; the sanitizer pass starts a process per test and many more).
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -no-pie")
endif()
if(COALITION_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(COALITION_FUZZ)
  # Coverage instrumentation everywhere; the fuzz targets add -fsanitize=fuzzer at link time.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
