#!/usr/bin/env bash
# Packages the laid-out distribution (target/reach) as a tarball and a Debian package that need no JDK:
#   target/reach-VERSION-linux-x86_64.tar.gz   unpack anywhere, run bin/reach
#   target/reach_VERSION_amd64.deb              /opt/reach, /usr/bin/reach, the man page, bash/zsh/fish completions
# Run by './mvnw package -Ppackage' (dist's 'package' profile): package.sh TARGET VERSION JDK REPO
# Each holds a Java runtime made by jlink with only the modules reach uses (found by jdeps), the jars, plugins,
# playbooks and plugin SDK, the start-up cache made with that runtime, and the man page and completion scripts,
# both written by the packaged reach itself from its command tree and probe specs.
set -euo pipefail
target=$1 version=$2 jdk=$3 repo=$4
dist=$target/reach
work=$target/package
name=reach-$version-linux-x86_64
stage=$work/$name

step() { printf 'package: %s\n' "$*" >&2; }
rm -rf "$work" "$target"/reach-*-linux-x86_64.tar.gz "$target"/reach_*_amd64.deb
mkdir -p "$stage"/{bin,libexec,share/man/man1,share/bash-completion/completions,share/zsh/site-functions,share/fish/vendor_completions.d}

# 1. The JDK modules the jars use, as jdeps finds them, and the two it cannot see: jdk.zipfs (a file system provider,
#    found by service lookup) and jdk.crypto.ec (elliptic-curve TLS, found by the security provider list).
step "modules (jdeps)"
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 -q \
    --class-path "$dist/lib/*" "$dist"/lib/*.jar "$dist"/plugins/*.jar)
modules=$modules,jdk.zipfs,jdk.crypto.ec
printf '%s\n' "$modules" > "$work/modules"

step "runtime (jlink: $modules)"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --output "$stage/runtime"

step "layout"
cp -a "$dist"/lib "$dist"/plugins "$dist"/playbooks "$dist"/sdk "$stage"/
rm -f "$stage"/lib/reach*.aot*
# reach's own jars first, then SQLite's (the history reads its version from there): the resources a run reads are
# then found without opening the other twenty-one jars, which the class path would open and index before them (the
# largest, icu4j and js-language, first); their classes come from the start-up cache
(cd "$stage/lib" && { LC_ALL=C ls -- reach-*.jar sqlite-jdbc-*.jar; LC_ALL=C ls -- *.jar | grep -v '^reach-\|^sqlite-jdbc-'; }) > "$stage/lib/classpath"
install -m 755 "$repo/dist/src/main/package/reach" "$stage/bin/reach"
install -m 644 "$repo/shell/src/main/resident/reach-resident.pl" "$stage/libexec/reach-resident.pl"
install -m 644 "$repo/shell/src/main/launcher/jvm.options" "$stage/lib/jvm.options"

# 2. Written by the packaged reach itself (no plugin of this machine's user, no resident, no cache yet)
step "man page and completions"
quiet=$work/empty-home; mkdir -p "$quiet"
packaged() { env -u REACH_PLUGINS HOME="$quiet" XDG_DATA_HOME="$quiet" REACH_RESIDENT=0 REACH_AOT=0 "$stage/bin/reach" "$@"; }
packaged help --man > "$stage/share/man/man1/reach.1"
packaged completion bash > "$stage/share/bash-completion/completions/reach"
packaged completion zsh > "$stage/share/zsh/site-functions/_reach"
packaged completion fish > "$stage/share/fish/vendor_completions.d/reach.fish"

# 3. The start-up caches, made with this runtime by the training runs (loopback only), with the launcher's class
#    path: reach.aot (a diagnosis; its load of every plugin writes the probe index), reach-probe-tls.aot ('reach
#    probe tls.*|http.* ...') and reach-probe.aot (every other probe): one probe of each kind, each plugin found
#    through that index
step "start-up caches (training runs)"
cp=; while IFS= read -r jar; do cp+="${cp:+:}$stage/lib/$jar"; done < "$stage/lib/classpath"
mapfile -t opts < "$stage/lib/jvm.options"
for cache in reach reach-probe reach-probe-tls; do
  case $cache in reach) training=() ;; reach-probe) training=(probe) ;; reach-probe-tls) training=(probe-tls) ;; esac
  env -u REACH_PLUGINS HOME="$quiet" XDG_DATA_HOME="$quiet" "$stage/runtime/bin/java" "${opts[@]}" -XX:AOTCacheOutput="$stage/lib/$cache.aot" \
      -Dreach.home="$stage" -cp "$cp" dev.reach.shell.Training "${training[@]}" </dev/null >"$work/training-$cache.log" 2>&1 \
      || [ -s "$stage/lib/$cache.aot" ] || { step "the training run failed:"; tail -20 "$work/training-$cache.log" >&2; exit 1; }
  rm -f "$stage/lib/$cache.aot.config"
done

step "tarball"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$target/$name.tar.gz" "$name"

# 4. The Debian package: the same tree under /opt/reach, and what Debian puts elsewhere
step "debian package"
deb=$work/deb
debversion=${version/-/\~}            # 0.1.0-SNAPSHOT sorts before 0.1.0 as 0.1.0~SNAPSHOT
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/usr/share/man/man1" "$deb/usr/share/bash-completion/completions" \
    "$deb/usr/share/zsh/vendor-completions" "$deb/usr/share/fish/vendor_completions.d" "$deb/usr/share/doc/reach"
cp -a "$stage" "$deb/opt/reach"
ln -s /opt/reach/bin/reach "$deb/usr/bin/reach"
gzip -9n < "$stage/share/man/man1/reach.1" > "$deb/usr/share/man/man1/reach.1.gz"
cp "$stage/share/bash-completion/completions/reach" "$deb/usr/share/bash-completion/completions/reach"
cp "$stage/share/zsh/site-functions/_reach" "$deb/usr/share/zsh/vendor-completions/_reach"
cp "$stage/share/fish/vendor_completions.d/reach.fish" "$deb/usr/share/fish/vendor_completions.d/reach.fish"
printf 'reach %s\nSee https://github.com (the reach source) for its licence and its dependencies'\'' (third-party/).\n' "$version" \
    > "$deb/usr/share/doc/reach/copyright"
size=$(du -sk "$deb/opt" | cut -f1)
cat > "$deb/DEBIAN/control" <<CONTROL
Package: reach
Version: $debversion
Architecture: amd64
Maintainer: reach developers <reach@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.31)
Recommends: perl-base, iproute2
Suggests: iptables, nftables, traceroute
Section: net
Priority: optional
Description: finds why one machine cannot reach another
 reach walks the stack from DNS to TLS between this machine and a target and ends in one
 verdict: the cause, its evidence and the fix. It carries its own Java runtime; nothing
 is started on installation.
CONTROL
dpkg-deb --root-owner-group -Zgzip --build "$deb" "$target/reach_${debversion}_amd64.deb" >/dev/null
step "made $target/$name.tar.gz ($(du -h "$target/$name.tar.gz" | cut -f1)) and $target/reach_${debversion}_amd64.deb ($(du -h "$target/reach_${debversion}_amd64.deb" | cut -f1))"
