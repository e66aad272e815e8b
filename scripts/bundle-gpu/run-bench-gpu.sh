#!/bin/sh
# Runs `npm run bench:gpu` from the bundle that `npm run bundle:gpu` made, on a machine with a GPU driver and
# nothing else: no Node, no npm, no internet. Arguments go to bench:gpu (--quick, --rules, --batch, --help, ...).
#
#   tar xf bioprop-gpu.tar.xz && ./bioprop-gpu/run-bench-gpu.sh [--quick]
#
# It uses the bundle's Node (Debian's), its libraries and its Vulkan and EGL loaders, and points the loaders at
# the NVIDIA driver's files where the driver keeps them aside (/usr/local/nvidia on many GPU containers).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
runtime="$here/runtime"
fail() {
  echo "run-bench-gpu: $*" >&2
  exit 1
}

# The oldest C library the bundled binaries run on (filled in by the bundle script).
glibc_needed='@GLIBC_NEEDED@'
glibc_here=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //') || glibc_here=''
if [ -n "$glibc_here" ]; then
  oldest=$(printf '%s\n%s\n' "$glibc_needed" "$glibc_here" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)
  [ "$oldest" = "$glibc_needed" ] || fail "this machine has glibc $glibc_here; the bundled binaries need glibc $glibc_needed or newer"
fi

# Debian's node reads three built-in modules from a fixed folder at start; the bundle's copy of libnode names
# @BUILTIN_PATH@, which must lead to the bundled copies. Only a link of this user's is ever replaced.
builtins='@BUILTIN_PATH@'
builtins=${builtins%/}
if [ -L "$builtins" ]; then
  [ "$(stat -c %u "$builtins")" = "$(id -u)" ] || fail "$builtins is another user's link: remove it, or run as that user"
  [ "$(readlink "$builtins")" = "$runtime/nodejs" ] || ln -sfn "$runtime/nodejs" "$builtins"
elif [ -e "$builtins" ]; then
  fail "$builtins exists and is not a link: remove it (the bundled node needs that path for its built-in modules)"
else
  ln -s "$runtime/nodejs" "$builtins"
fi

# The bundle's libraries first; the C++ runtime only where the machine's is missing or too old for node.
libs="$runtime/lib"
if LD_LIBRARY_PATH="$libs" ldd "$runtime/bin/node" 2>&1 | grep -q 'not found'; then
  libs="$libs:$runtime/lib-fallback"
fi
missing=$(LD_LIBRARY_PATH="$libs" ldd "$runtime/bin/node" 2>&1 | grep 'not found' || true)
[ -z "$missing" ] || fail "the bundled node cannot start here: $missing"
# The harness drops these again for the PyTorch it starts, whose own libraries may be newer.
export BIOPROP_BUNDLE_LIBS="$libs"
# Where a driver keeps its libraries aside, the loaders must find them (libGLX_nvidia, libEGL_nvidia, ...).
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$dir" ] && libs="$libs:$dir"
done
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The NVIDIA Vulkan driver and EGL vendor files, unless the caller chose: the standard folders first, then the
# folder of driver-only containers. Where none is found the loaders search their standard folders themselves.
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then
      # VK_DRIVER_FILES for the bundled loader (Vulkan 1.3.207+), VK_ICD_FILENAMES for older ones.
      export VK_DRIVER_FILES="$f" VK_ICD_FILENAMES="$f"
      break
    fi
  done
fi
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
  for f in /usr/share/glvnd/egl_vendor.d/10_nvidia.json /etc/glvnd/egl_vendor.d/10_nvidia.json \
    /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json; do
    if [ -f "$f" ]; then
      export __EGL_VENDOR_LIBRARY_FILENAMES="$f"
      break
    fi
  done
fi
echo "run-bench-gpu: node $("$runtime/bin/node" --version) from the bundle; Vulkan driver file: ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-the loader's search}}; EGL vendor file: ${__EGL_VENDOR_LIBRARY_FILENAMES:-glvnd's search}" >&2

cd "$here/app"
exec "$runtime/bin/node" bench/dist/gpu.js "$@"
