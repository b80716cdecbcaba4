#!/bin/bash
# Build XMS's vcsim (VMware's vCenter simulator with the XMS extensions).
#
# Debian's golang-github-vmware-govmomi-dev ships the govmomi `simulator`
# package but not upstream's `vcsim` command, and lacks
# QueryChangedDiskAreas.  This script copies the Debian sources into a
# private GOPATH, applies tools/vcsim/patches/*.patch, adds
# tools/vcsim/simulator/*.go to the copied `simulator` package and builds
# tools/vcsim/main.go, offline (GO111MODULE=off, GOPROXY=off).
#
# Output: ${XMS_CACHE_DIR:-~/.cache/xms}/vcsim/vcsim (path printed on stdout).
# The build is skipped when the stamp (a hash of our sources, the Debian
# package version and the Go version) is unchanged.  Safe to run
# concurrently: builds are serialised with flock.
#
# Needs: golang-go, golang-github-vmware-govmomi-dev (see bindep.txt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XMS_CACHE_DIR:-$HOME/.cache/xms}
out_dir=$cache/vcsim
build_dir=$cache/vcsim-build
binary=$out_dir/vcsim
stamp_file=$out_dir/stamp
debian_src=/usr/share/gocode/src
govmomi=github.com/vmware/govmomi

log() { echo "build.sh: $*" >&2; }

for cmd in go patch sha256sum flock; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        log "missing command '$cmd' (install golang-go, patch, coreutils, util-linux)"
        exit 2
    fi
done
if [ ! -d "$debian_src/$govmomi/simulator" ]; then
    log "missing $debian_src/$govmomi/simulator (apt-get install golang-github-vmware-govmomi-dev)"
    exit 2
fi

mkdir -p "$out_dir" "$build_dir"

pkg_version=$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev 2>/dev/null || echo unknown)
stamp=$(
    {
        echo "govmomi=$pkg_version"
        go version
        cd "$here"
        find . -type f \( -name '*.go' -o -name '*.patch' -o -name 'build.sh' \) \
            -not -path './_*' | LC_ALL=C sort | xargs sha256sum
    } | sha256sum | cut -d' ' -f1
)

exec 9>"$out_dir/build.lock"
flock 9

if [ -x "$binary" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    echo "$binary"
    exit 0
fi

log "building vcsim (govmomi $pkg_version) in $build_dir"
gopath=$build_dir/gopath
rm -rf "$gopath"
mkdir -p "$gopath/src/github.com/vmware" "$gopath/src/xmsvcsim"
cp -a "$debian_src/$govmomi" "$gopath/src/$govmomi"
chmod -R u+w "$gopath/src/$govmomi"

shopt -s nullglob
for p in "$here"/patches/*.patch; do
    log "applying $(basename "$p")"
    patch -s -p1 -d "$gopath/src/$govmomi" < "$p"
done
for f in "$here"/simulator/*.go; do
    cp "$f" "$gopath/src/$govmomi/simulator/xms_$(basename "$f")"
done
shopt -u nullglob
cp "$here/main.go" "$gopath/src/xmsvcsim/main.go"

export GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local
export GOPATH=$gopath:${debian_src%/src}
export GOCACHE=$build_dir/gocache
tmp_bin=$binary.tmp.$$
(cd "$gopath/src/xmsvcsim" && go build -o "$tmp_bin" xmsvcsim)
mv -f "$tmp_bin" "$binary"
echo "$stamp" > "$stamp_file"
log "built $binary"
echo "$binary"
