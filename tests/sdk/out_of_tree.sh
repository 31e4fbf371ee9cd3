#!/usr/bin/env bash
# The SDK as a member company's engineer gets it: installs the build tree into a fresh prefix,
# builds examples/ngo_referral out of tree with find_package(Coalition), checks that the
# plugin's entry symbol is its only export and that pkg-config finds the SDK, then signs the
# plugin's manifest as its publisher would, pins it in a lock file as an operator would, and
# has the installed engine load the plugin (isolated: it is not in the engine's own directory)
# and run a workflow with it and with a plugin shipped with the engine. It also builds and tests
# the plain-C example (examples/hotline_ack_c) and the C++ and C projects `coalition plugin new`
# scaffolds, each from the installed tree, each exporting only its entry symbol.
# Usage: out_of_tree.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "out_of_tree: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" ||
  fail "cmake --install failed: $(tail -5 "$work/install.log")"
for file in include/coalition/plugin_abi.h include/coalition/plugin.hpp include/coalition/plugin_json.h \
  lib/cmake/Coalition/CoalitionConfig.cmake lib/cmake/Coalition/CoalitionConfigVersion.cmake \
  lib/pkgconfig/coalition.pc bin/coalition bin/coalition-plugin-host \
  lib/coalition/plugins/libnoop.so lib/coalition/plugins/noop.plugin.json; do
  [ -e "$work/prefix/$file" ] || fail "the install lacks $file"
done

cmake -S "$source/examples/ngo_referral" -B "$work/plugin" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  fail "find_package(Coalition) failed: $(tail -20 "$work/configure.log")"
cmake --build "$work/plugin" >"$work/build.log" 2>&1 ||
  fail "the out-of-tree build failed: $(tail -20 "$work/build.log")"
ctest --test-dir "$work/plugin" --output-on-failure >"$work/ctest.log" 2>&1 ||
  fail "the plugin's own cases failed: $(cat "$work/ctest.log")"
library="$work/plugin/libngo_referral.so"
exports=$(nm -D --defined-only "$library" | awk '{print $NF}' | sort | tr '\n' ' ')
[ "$exports" = "coalition_plugin_entry_v1 " ] || fail "exports '$exports', not only the entry"

# build_and_test SOURCE_DIR ID: configures, builds and runs the project's own cases from the
# installed tree; the library must export its entry symbol only and have its manifest beside it.
build_and_test() {
  local src=$1 id=$2 out="$work/build-$2"
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$work/prefix" >"$out.configure.log" 2>&1 ||
    fail "$id: configuring failed: $(tail -20 "$out.configure.log")"
  cmake --build "$out" >"$out.build.log" 2>&1 || fail "$id: the build failed: $(tail -30 "$out.build.log")"
  ctest --test-dir "$out" --output-on-failure >"$out.ctest.log" 2>&1 ||
    fail "$id: its cases failed: $(cat "$out.ctest.log")"
  grep -q "100% tests passed" "$out.ctest.log" || fail "$id: no case ran: $(cat "$out.ctest.log")"
  local got
  got=$(nm -D --defined-only "$out/lib$id.so" | awk '{print $NF}' | sort | tr '\n' ' ')
  [ "$got" = "coalition_plugin_entry_v1 " ] || fail "$id exports '$got', not only the entry"
  [ -f "$out/$id.plugin.json" ] || fail "$id: the build wrote no manifest"
}
build_and_test "$source/examples/hotline_ack_c" hotline_ack
coalition="$work/prefix/bin/coalition"
"$coalition" plugin new fabrikam_ack --dir "$work/scaffold-cpp" --publisher "Fabrikam Pay (fictional)" \
  --partner-type financial >"$work/new-cpp.txt" || fail "plugin new failed: $(cat "$work/new-cpp.txt")"
build_and_test "$work/scaffold-cpp" fabrikam_ack
grep -q '"publisher": "Fabrikam Pay (fictional)"' "$work/build-fabrikam_ack/fabrikam_ack.plugin.json" ||
  fail "the scaffolded manifest lacks its publisher"
"$coalition" plugin new tailspin_ack --lang c --dir "$work/scaffold-c/" --partner-type ngo \
  >"$work/new-c.txt" || fail "plugin new --lang c failed: $(cat "$work/new-c.txt")"
build_and_test "$work/scaffold-c" tailspin_ack
status=0
"$coalition" plugin new tailspin_ack --lang c --dir "$work/scaffold-c" >/dev/null 2>&1 || status=$?
[ "$status" = 73 ] || fail "plugin new over an existing project exited $status, not 73"
status=0
"$coalition" plugin new Bad-Name >/dev/null 2>&1 || status=$?
[ "$status" = 64 ] || fail "plugin new with a name that is no plugin id exited $status, not 64"

cflags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags coalition)
[[ "$cflags" == *"/include"* ]] || fail "pkg-config --cflags coalition gave '$cflags'"
ldflags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --variable=plugin_ldflags coalition)
script=${ldflags##*--version-script=}
[ -f "$script" ] || fail "the version script of plugin_ldflags ($script) is not installed"

[ -f "$work/plugin/ngo_referral.plugin.json" ] || fail "the build wrote no manifest"
mkdir "$work/partners"
cp "$library" "$work/plugin/ngo_referral.plugin.json" "$work/partners/"
"$coalition" plugin keygen "$work/northwind.key" >"$work/keygen.txt" ||
  fail "plugin keygen failed: $(cat "$work/keygen.txt")"
public_key=$(sed -n 's/^public key //p' "$work/keygen.txt")
"$coalition" plugin sign "$work/partners/ngo_referral.plugin.json" --key "$work/northwind.key" \
  >"$work/sign.txt" || fail "plugin sign failed: $(cat "$work/sign.txt")"
cat >"$work/coalition.json" <<EOF
{"plugins": {"directories": ["$work/partners"], "lock": "$work/plugins.lock",
             "require_signatures": true,
             "publishers": {"Northwind Child Safety Hotline (fictional)": ["$public_key"]}}}
EOF
"$coalition" --config "$work/coalition.json" plugin lock >"$work/lock.txt" 2>&1 ||
  fail "plugin lock failed: $(cat "$work/lock.txt")"
grep -q "pinned ngo_referral 1.0.0" "$work/lock.txt" || fail "not pinned: $(cat "$work/lock.txt")"
cat >"$work/referral.json" <<'EOF'
{"id": "hotline_referral", "version": 1, "title": "A hotline's referral comes in",
 "steps": [{"id": "intake", "kind": "task", "type": "ngo_referral.intake",
            "parameters": {"hotline_reference": "NWH-2026-00417", "category": "child_in_danger",
                           "jurisdiction": "AU",
                           "content_hashes": ["sha256:9f2c4e8a1b3d5f7091a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4"]},
            "result": "/referral", "next": "shipped"},
           {"id": "shipped", "kind": "task", "type": "noop"}]}
EOF
export COALITION_STORE=:memory: COALITION_PLUGIN_PATH=
"$work/prefix/bin/coalition" --config "$work/coalition.json" plugins >"$work/plugins.txt" ||
  fail "coalition plugins failed: $(cat "$work/plugins.txt")"
grep -q "ngo_referral 1.0.0  Northwind Child Safety Hotline (fictional) (ngo, isolated)" \
  "$work/plugins.txt" || fail "the plugin is not listed as isolated: $(cat "$work/plugins.txt")"
"$work/prefix/bin/coalition" --config "$work/coalition.json" run "$work/referral.json" --json \
  >"$work/run.json" || fail "the workflow failed: $(cat "$work/run.json")"
grep -q '"priority": "P0"' "$work/run.json" || fail "no P0 referral: $(cat "$work/run.json")"
grep -q '"route": "law_enforcement_liaison"' "$work/run.json" || fail "wrong route"
echo "out_of_tree: installed SDK built, exported, loaded isolated and ran ngo_referral;" \
  "built and tested hotline_ack (C) and two scaffolded projects (C++, C)"
