# Every third-party dependency comes from a Debian package (tools/install-deps).

find_package(Threads REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED)      # headers only: Asio, DLL, Beast, Process
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(spdlog 1.10 REQUIRED)           # built against the external fmt: use the target
find_package(CLI11 2.1 REQUIRED)
find_package(SQLite3 3.38 REQUIRED)           # JSON ->> in the event runs view (schema 19)
find_package(OpenSSL 3 REQUIRED)             # libcrypto: SHA-256 for the audit chain
find_package(PkgConfig REQUIRED)
pkg_check_modules(Sodium REQUIRED IMPORTED_TARGET libsodium)  # Ed25519 audit checkpoints
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)  # the PostgreSQL store (libpq's C API)
find_package(CURL 7.85 REQUIRED)            # OIDC keys over HTTPS (CURLOPT_PROTOCOLS_STR)
find_package(ZLIB REQUIRED)                  # the media guard inflates gzip/zlib blobs

# valijson (header-only JSON Schema validator). tools/install-deps extracts the headers of
# Debian's libvalijson-dev into .deps/valijson; a system install is used when present.
find_path(COALITION_VALIJSON_INCLUDE_DIR valijson/validator.hpp
          HINTS "${PROJECT_SOURCE_DIR}/.deps/valijson/include")
if(NOT COALITION_VALIJSON_INCLUDE_DIR)
  message(FATAL_ERROR "valijson headers not found: run tools/install-deps first")
endif()
add_library(coalition_valijson INTERFACE)
target_include_directories(coalition_valijson SYSTEM INTERFACE "${COALITION_VALIJSON_INCLUDE_DIR}")
# core/src/schema/json_schema.cc defines VALIJSON_USE_EXCEPTIONS itself (a broken schema in a
# plugin is outside input: it must raise, never abort), which keeps the define out of the
# precompiled header's flags.

if(COALITION_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED)
  include(GoogleTest)
endif()
