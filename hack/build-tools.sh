#!/usr/bin/env bash
# Builds pinned versions of etcd, kube-apiserver, kubectl and OpenTofu (tofu)
# from Go modules with the local Go toolchain and caches them per version
# outside the repository. Versions come from hack/tools.env.
#
# Run `hack/build-tools.sh --help` for usage.
set -euo pipefail

PROG=${0##*/}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
TOOLS_ENV="${SCRIPT_DIR}/tools.env"
readonly PROG SCRIPT_DIR TOOLS_ENV

# Oldest Go that can build any of the tools. Individual modules may need a
# newer one (their go.mod `go` line is checked before building).
readonly MIN_GO_VERSION=1.24
readonly ALL_TOOLS=(etcd kube-apiserver kubectl tofu)

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }

die() {
  printf '%s: error: %s\n' "$PROG" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

KUBERNETES_VERSION=
ETCD_VERSION=
OPENTOFU_VERSION=

load_versions() {
  [[ -r $TOOLS_ENV ]] || die "cannot read ${TOOLS_ENV}"
  local line key value n=0
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ -z $line || $line == '#'* ]] && continue
    [[ $line =~ ^([A-Z][A-Z0-9_]*)=([^[:space:]]+)$ ]] ||
      die "${TOOLS_ENV}:${n}: expected a plain KEY=VALUE line, got: ${line}"
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    case $key in
      KUBERNETES_VERSION | ETCD_VERSION | OPENTOFU_VERSION)
        [[ $value =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
          die "${TOOLS_ENV}:${n}: ${key} must look like vMAJOR.MINOR.PATCH, got: ${value}"
        printf -v "$key" '%s' "$value"
        ;;
      *) ;; # unknown keys are for other consumers of the file
    esac
  done <"$TOOLS_ENV"
  [[ -n $KUBERNETES_VERSION ]] || die "${TOOLS_ENV}: KUBERNETES_VERSION is not set"
  [[ -n $ETCD_VERSION ]] || die "${TOOLS_ENV}: ETCD_VERSION is not set"
  [[ -n $OPENTOFU_VERSION ]] || die "${TOOLS_ENV}: OPENTOFU_VERSION is not set"
  [[ $KUBERNETES_VERSION == v1.* ]] ||
    die "${TOOLS_ENV}: KUBERNETES_VERSION must be v1.x.y (staging modules are published as v0.x.y)"
}

tools_dir() {
  local dir
  if [[ -n ${CLOUDOPS_TOOLS_DIR:-} ]]; then
    dir=$CLOUDOPS_TOOLS_DIR
  elif [[ -n ${XDG_CACHE_HOME:-} ]]; then
    dir=$XDG_CACHE_HOME/cloudops/tools
  elif [[ -n ${HOME:-} ]]; then
    dir=$HOME/.cache/cloudops/tools
  else
    die "neither CLOUDOPS_TOOLS_DIR, XDG_CACHE_HOME nor HOME is set; cannot pick a cache directory"
  fi
  [[ $dir == /* ]] || dir=$PWD/$dir
  printf '%s\n' "$dir"
}

tool_version() {
  case $1 in
    etcd) printf '%s\n' "$ETCD_VERSION" ;;
    kube-apiserver | kubectl) printf '%s\n' "$KUBERNETES_VERSION" ;;
    tofu) printf '%s\n' "$OPENTOFU_VERSION" ;;
    *) die "unknown tool: $1" ;;
  esac
}

tool_override_var() {
  case $1 in
    etcd) printf '%s\n' CLOUDOPS_ETCD ;;
    kube-apiserver) printf '%s\n' CLOUDOPS_KUBE_APISERVER ;;
    kubectl) printf '%s\n' CLOUDOPS_KUBECTL ;;
    tofu) printf '%s\n' CLOUDOPS_TOFU ;;
    *) die "unknown tool: $1" ;;
  esac
}

tool_build_hint() {
  case $1 in
    kube-apiserver) printf '%s\n' "this takes several minutes on a cold cache" ;;
    *) printf '%s\n' "this takes a few minutes on a cold cache" ;;
  esac
}

usage() {
  local dir tool
  dir=$(tools_dir)
  cat <<EOF
Usage: hack/build-tools.sh [options] [etcd|kube-apiserver|kubectl|tofu|all]...

Builds pinned versions of the tools from Go modules with the local Go
toolchain and caches them per version. Needs Go >= ${MIN_GO_VERSION}; kube-apiserver and
kubectl need the Go version in k8s.io/kubernetes' go.mod$(k8s_go_note).
GOTOOLCHAIN=local is used, so no Go toolchain is ever downloaded.
Cached binaries are reused; delete a version directory to force a rebuild.
Default tool selection: all.

Options:
  --print-paths   after resolving (and building if needed), print one
                  CLOUDOPS_<TOOL>=/abs/path line per selected tool on stdout
                  (stderr stays silent unless something is built)
  --no-build      never build; fail if a selected tool is neither cached
                  nor overridden
  -h, --help      show this help

Versions (from ${TOOLS_ENV}):
  KUBERNETES_VERSION=${KUBERNETES_VERSION}  (kube-apiserver, kubectl)
  ETCD_VERSION=${ETCD_VERSION}
  OPENTOFU_VERSION=${OPENTOFU_VERSION}

Cache directory:
  ${dir}
  (\$CLOUDOPS_TOOLS_DIR, else \$XDG_CACHE_HOME/cloudops/tools, else ~/.cache/cloudops/tools)
  Layout: <tool>/<version>/<binary>, build log in <tool>/<version>/build.log
EOF
  for tool in "${ALL_TOOLS[@]}"; do
    printf '    %s\n' "${dir}/${tool}/$(tool_version "$tool")/${tool}"
  done
  cat <<EOF

Overrides (use an existing executable instead of building; a bare command
name is looked up on PATH):
  CLOUDOPS_ETCD            etcd
  CLOUDOPS_KUBE_APISERVER  kube-apiserver
  CLOUDOPS_KUBECTL         kubectl
  CLOUDOPS_TOFU            tofu

Other environment:
  CLOUDOPS_BUILD_JOBS      value for 'go build -p' (default: number of CPUs)
EOF
}

# ---------------------------------------------------------------------------
# Go toolchain
# ---------------------------------------------------------------------------

GO_BIN=
GO_VERSION=

# version_ge A B: true if dotted version A >= B (numeric compare, 3 fields).
version_ge() {
  local -a a b
  local i x y
  IFS=. read -r -a a <<<"$1"
  IFS=. read -r -a b <<<"$2"
  for i in 0 1 2; do
    x=${a[i]:-0}
    y=${b[i]:-0}
    x=${x%%[!0-9]*}
    y=${y%%[!0-9]*}
    x=$((10#${x:-0}))
    y=$((10#${y:-0}))
    ((x > y)) && return 0
    ((x < y)) && return 1
  done
  return 0
}

# Known `go` line of k8s.io/kubernetes' go.mod, for messages only (the real
# check reads the downloaded go.mod).
k8s_go_note() {
  case $KUBERNETES_VERSION in
    v1.36.*) printf ' (go 1.26.0 for %s)' "$KUBERNETES_VERSION" ;;
  esac
}

ensure_go() {
  [[ -n $GO_BIN ]] && return 0
  local go
  go=$(command -v go || true)
  if [[ -z $go && -x /usr/local/go/bin/go ]]; then
    go=/usr/local/go/bin/go
  fi
  if [[ -z $go ]]; then
    die "'go' was not found on PATH (nor /usr/local/go/bin/go)." \
      "Go >= ${MIN_GO_VERSION} is needed to build these tools (https://go.dev/dl/);" \
      "kube-apiserver/kubectl need at least the Go version named in k8s.io/kubernetes' go.mod$(k8s_go_note)." \
      "Alternatively point at existing binaries, e.g.:" \
      "  CLOUDOPS_ETCD=/path/to/etcd CLOUDOPS_KUBE_APISERVER=/path/to/kube-apiserver \\" \
      "  CLOUDOPS_KUBECTL=/path/to/kubectl CLOUDOPS_TOFU=/path/to/tofu ${PROG}"
  fi
  local v
  v=$(GOTOOLCHAIN=local "$go" env GOVERSION 2>/dev/null || true)
  case $v in
    go[0-9]*) v=${v#go} ;;
    *devel*) v=999 ;; # development toolchain: assume new enough
    *) die "could not determine the version of ${go} ('go env GOVERSION' printed '${v}')" ;;
  esac
  version_ge "$v" "$MIN_GO_VERSION" ||
    die "Go >= ${MIN_GO_VERSION} is needed, but ${go} is go${v}." \
      "Install a newer Go (https://go.dev/dl/) or point at existing binaries with" \
      "CLOUDOPS_ETCD, CLOUDOPS_KUBE_APISERVER, CLOUDOPS_KUBECTL and CLOUDOPS_TOFU."
  GO_BIN=$go
  GO_VERSION=$v
}

# ---------------------------------------------------------------------------
# Build steps. These run in a subshell with `set -e`, with stdout and stderr
# going to the tool's build.log.
# ---------------------------------------------------------------------------

run() {
  printf '+ %s\n' "$*"
  "$@"
}

# mod_download MODULE VERSION: downloads a module into the module cache and
# sets MOD_DIR, MOD_GOMOD and MOD_INFO.
mod_download() {
  local json
  printf '+ go mod download -json %s@%s\n' "$1" "$2"
  if ! json=$(go mod download -json "$1@$2"); then
    printf '%s\n' "$json"
    echo "failed to download $1@$2 from the Go module proxy (GOPROXY=$(go env GOPROXY))"
    return 1
  fi
  printf '%s\n' "$json"
  MOD_DIR=$(json_field Dir <<<"$json")
  MOD_GOMOD=$(json_field GoMod <<<"$json")
  MOD_INFO=$(json_field Info <<<"$json")
  [[ -d $MOD_DIR && -f $MOD_GOMOD ]] || {
    echo "unexpected 'go mod download' output for $1@$2"
    return 1
  }
}

json_field() {
  sed -n 's/^[[:space:]]*"'"$1"'":[[:space:]]*"\(.*\)",\{0,1\}[[:space:]]*$/\1/p' | head -n 1
}

# check_module_go MODULE@VERSION GOMOD: fails if the module's go.mod needs a
# newer Go than the local one (GOTOOLCHAIN=local never downloads one).
check_module_go() {
  local need
  need=$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p' "$2" | head -n 1)
  [[ -z $need ]] && return 0
  if ! version_ge "$GO_VERSION" "$need"; then
    echo "$1 requires go >= ${need}, but the local Go is go${GO_VERSION}" \
      "(GOTOOLCHAIN=local, so no newer toolchain is downloaded)."
    echo "Install Go >= ${need} or point at an existing binary with the CLOUDOPS_* override variables."
    return 1
  fi
}

# gomod_go_directives GOMOD: prints the `go` and `godebug` directives, which
# the wrapper module must keep so the binary gets the upstream GODEBUG defaults.
gomod_go_directives() {
  awk '
    /^go[ \t]/ { print; next }
    /^godebug[ \t]*\(/ { blk = 1; print; next }
    blk { print; if ($0 ~ /^\)/) blk = 0; next }
    /^godebug[ \t]/ { print }
  ' "$1"
}

# gomod_replaces GOMOD: prints every replace directive as "old [v] => new [v]".
gomod_replaces() {
  awk '
    /^replace[ \t]*\(/ { blk = 1; next }
    blk && /^\)/ { blk = 0; next }
    blk { sub(/\/\/.*/, ""); if (NF) print; next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); sub(/\/\/.*/, ""); if (NF) print }
  ' "$1"
}

# verify EXPECTED_LINE CMD...: runs CMD and requires EXPECTED_LINE in its output.
verify() {
  local expected=$1 out
  shift
  printf '+ %s\n' "$*"
  if ! out=$(cd "$WORK/verify" && "$@" 2>&1); then
    printf '%s\n' "$out"
    echo "version check failed: '$*' exited with an error"
    return 1
  fi
  printf '%s\n' "$out"
  if ! grep -qxF -- "$expected" <<<"$out"; then
    echo "version check failed: expected a line '${expected}' in the output of '$*'"
    return 1
  fi
}

go_build() {
  local -a flags=()
  [[ -n ${CLOUDOPS_BUILD_JOBS:-} ]] && flags+=(-p "$CLOUDOPS_BUILD_JOBS")
  run go build "${flags[@]}" "$@"
}

build_etcd() {
  local ver=$1 mod=go.etcd.io/etcd/server/v3
  mod_download "$mod" "$ver"
  check_module_go "$mod@$ver" "$MOD_GOMOD"
  # The server module's go.mod has local replace directives, so `go install`
  # refuses it; build its main package from a wrapper module instead.
  mkdir "$WORK/wrapper"
  cd "$WORK/wrapper"
  {
    echo "module cloudops.local/build-tools/etcd"
    echo
    gomod_go_directives "$MOD_GOMOD"
  } >go.mod
  run cat go.mod
  run go get "$mod@$ver"
  go_build -ldflags "-s -w" -o "$WORK/out/etcd" "$mod"
  verify "etcd Version: ${ver#v}" "$WORK/out/etcd" --version
}

build_kubernetes_cmd() {
  local ver=$1 cmd=$2 mod=k8s.io/kubernetes
  local staging_ver=v0.${ver#v1.} major minor _ build_date line lhs rhs path
  IFS=. read -r major minor _ <<<"${ver#v}"
  mod_download "$mod" "$ver"
  check_module_go "$mod@$ver" "$MOD_GOMOD"
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$MOD_INFO" 2>/dev/null || true)

  # k8s.io/kubernetes points its staging modules at ./staging via replace
  # directives and requires them at v0.0.0, so `go install` refuses it. The
  # wrapper module replaces them with the published v0.MINOR.PATCH modules.
  mkdir "$WORK/wrapper"
  cd "$WORK/wrapper"
  {
    echo "module cloudops.local/build-tools/kubernetes"
    echo
    gomod_go_directives "$MOD_GOMOD"
    echo
    echo "require $mod $ver"
    echo
    while IFS= read -r line; do
      lhs=${line%%=>*}
      rhs=${line#*=>}
      read -r path _ <<<"$rhs"
      case $path in
        ./staging/src/*)
          read -r path _ <<<"$lhs"
          echo "replace $path => $path $staging_ver"
          ;;
        ./* | ../* | /*)
          echo "unsupported local replace directive in $mod@$ver go.mod: $line" >&2
          return 1
          ;;
        *) echo "replace $line" ;;
      esac
    done < <(gomod_replaces "$MOD_GOMOD")
  } >go.mod
  run cat go.mod
  run go get "$mod/cmd/$cmd@$ver"

  local -a ldflags=(-s -w)
  local pkg
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=(
      "-X $pkg.gitVersion=$ver"
      "-X $pkg.gitMajor=$major"
      "-X $pkg.gitMinor=$minor"
    )
    [[ -n $build_date ]] && ldflags+=("-X $pkg.buildDate=$build_date")
  done
  go_build -ldflags "${ldflags[*]}" -o "$WORK/out/$cmd" "$mod/cmd/$cmd"
}

build_kube_apiserver() {
  build_kubernetes_cmd "$1" kube-apiserver
  verify "Kubernetes $1" "$WORK/out/kube-apiserver" --version
}

build_kubectl() {
  build_kubernetes_cmd "$1" kubectl
  verify "Client Version: $1" "$WORK/out/kubectl" version --client
}

build_tofu() {
  local ver=$1 mod=github.com/opentofu/opentofu
  mod_download "$mod" "$ver"
  check_module_go "$mod@$ver" "$MOD_GOMOD"
  # OpenTofu's go.mod replaces hcl with its fork, so `go install` refuses it.
  # Build from a writable copy of the module source (the module cache is
  # read-only); this also keeps its go.mod godebug settings.
  run cp -R "$MOD_DIR" "$WORK/src"
  run chmod -R u+w "$WORK/src"
  cd "$WORK/src"
  # version.dev=no drops the "-dev" suffix, as in the upstream release build.
  go_build -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$WORK/out/tofu" ./cmd/tofu
  verify "OpenTofu $ver" "$WORK/out/tofu" version
}

# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

TOOLS_DIR=
WORK= # per-build work directory, set inside the build subshell
NO_BUILD=0
QUIET=0 # --print-paths: no stderr chatter when nothing needs building
declare -A RESOLVED=()
WORK_DIRS=()
BUILD_PID=
BUILD_LOG=

# shellcheck disable=SC2317 # invoked from a trap
on_signal() {
  if [[ -n $BUILD_PID ]]; then
    log "interrupted; stopping the build"
    kill -TERM -- "-$BUILD_PID" 2>/dev/null || true
    wait "$BUILD_PID" 2>/dev/null || true
    [[ -n $BUILD_LOG ]] && echo "# INTERRUPTED (signal exit code $1)" >>"$BUILD_LOG"
  fi
  exit "$1"
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
  local d
  for d in "${WORK_DIRS[@]}"; do
    [[ -d $d ]] || continue
    chmod -R u+w "$d" 2>/dev/null || true
    rm -rf "$d" || true
  done
}

fmt_duration() {
  printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

build_tool() {
  local tool=$1 ver=$2 dest=$3
  local dir=${dest%/*} blog lock_fd='' work start rc elapsed
  blog=$dir/build.log
  mkdir -p "$dir"

  if command -v flock >/dev/null 2>&1; then
    exec {lock_fd}>>"$dir/.lock"
    if ! flock -n "$lock_fd"; then
      log "waiting for another build of ${tool} ${ver} to finish..."
      flock "$lock_fd"
    fi
  fi
  if [[ -x $dest ]]; then
    log "${tool} ${ver}: built by another run at ${dest}"
    [[ -n $lock_fd ]] && exec {lock_fd}>&-
    return 0
  fi

  # Leftovers of killed builds (safe to remove: we hold the lock).
  local stale
  for stale in "$dir"/.work.*; do
    [[ -e $stale ]] || continue
    chmod -R u+w "$stale" 2>/dev/null || true
    rm -rf "$stale"
  done

  ensure_go
  work=$(mktemp -d "$dir/.work.XXXXXX")
  WORK_DIRS+=("$work")
  mkdir "$work/out" "$work/verify"
  log "building ${tool} ${ver} ($(tool_build_hint "$tool"))..."
  log "  log: ${blog}"
  start=$SECONDS
  {
    echo "# ${tool} ${ver}, started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# go: ${GO_BIN} (go${GO_VERSION})"
  } >"$blog"

  # The build runs as a background job in its own process group (set -m), so
  # a signal to this script can stop the whole go build tree (on_signal).
  set -m
  (
    set -euo pipefail
    export PATH="${GO_BIN%/*}:$PATH"
    export GOTOOLCHAIN=local GOWORK=off GO111MODULE=on CGO_ENABLED=0
    export GOFLAGS="-mod=mod -buildvcs=false -trimpath"
    unset GOOS GOARCH
    WORK=$work
    cd "$WORK"
    go env GOVERSION GOPROXY GOMODCACHE GOCACHE GOFLAGS
    case $tool in
      etcd) build_etcd "$ver" ;;
      kube-apiserver) build_kube_apiserver "$ver" ;;
      kubectl) build_kubectl "$ver" ;;
      tofu) build_tofu "$ver" ;;
    esac
    # Verified: install atomically (same directory, so this is a rename(2)).
    # Done here rather than in the parent so that a build orphaned by a
    # SIGKILLed script still finishes its job.
    run mv -f "$WORK/out/$tool" "$dest"
  ) >>"$blog" 2>&1 </dev/null &
  BUILD_PID=$!
  BUILD_LOG=$blog
  set +m
  rc=0
  wait "$BUILD_PID" || rc=$?
  BUILD_PID=
  BUILD_LOG=
  elapsed=$((SECONDS - start))

  if ((rc != 0)); then
    echo "# FAILED with exit code ${rc} after $(fmt_duration "$elapsed")" >>"$blog"
    local hint=()
    if grep -q 'requires go >=' "$blog"; then
      hint=("The module needs a newer Go than the local go${GO_VERSION} (see above).")
    fi
    printf '%s: error: building %s %s failed after %s (exit code %d). Last lines of %s:\n' \
      "$PROG" "$tool" "$ver" "$(fmt_duration "$elapsed")" "$rc" "$blog" >&2
    tail -n 30 "$blog" | sed 's/^/    | /' >&2
    printf '  %s\n' "${hint[@]}" "Full log: ${blog}" \
      "To use an existing binary instead, set $(tool_override_var "$tool")=/path/to/${tool}." >&2
    exit 1
  fi

  [[ -x $dest ]] || die "building ${tool} ${ver} reported success but ${dest} is missing (see ${blog})"
  echo "# OK after $(fmt_duration "$elapsed")" >>"$blog"
  log "built ${tool} ${ver} in $(fmt_duration "$elapsed"): ${dest}"
  [[ -n $lock_fd ]] && exec {lock_fd}>&-
  return 0
}

resolve_tool() {
  local tool=$1 ver var val path dest
  ver=$(tool_version "$tool")
  var=$(tool_override_var "$tool")
  val=${!var:-}

  if [[ -n $val ]]; then
    if [[ $val == */* ]]; then
      path=$val
    else
      path=$(command -v -- "$val" || true)
      [[ -n $path ]] || die "${var}=${val}: no such command on PATH"
    fi
    [[ -e $path ]] || die "${var}=${val}: file does not exist"
    [[ -f $path && -x $path ]] || die "${var}=${val}: not an executable file"
    [[ $path == /* ]] || path=$PWD/$path
    ((QUIET)) || log "${tool}: using ${path} (from ${var}; expected version ${ver})"
    RESOLVED[$tool]=$path
    return 0
  fi

  dest=$TOOLS_DIR/$tool/$ver/$tool
  if [[ -x $dest ]]; then
    ((QUIET)) || log "${tool} ${ver}: cached at ${dest}"
  elif ((NO_BUILD)); then
    die "${tool} ${ver} is not built (expected ${dest})" \
      "Run ${PROG} ${tool} to build it, or set ${var}=/path/to/${tool}."
  else
    build_tool "$tool" "$ver" "$dest"
  fi
  RESOLVED[$tool]=$dest
}

main() {
  local arg help=0 print_paths=0 tool
  local -a selected=()
  for arg in "$@"; do
    case $arg in
      -h | --help) help=1 ;;
      --print-paths) print_paths=1 QUIET=1 ;;
      --no-build) NO_BUILD=1 ;;
      all) selected+=("${ALL_TOOLS[@]}") ;;
      etcd | kube-apiserver | kubectl | tofu) selected+=("$arg") ;;
      *) die "unknown argument '${arg}' (see ${PROG} --help)" ;;
    esac
  done

  load_versions
  if ((help)); then
    usage
    return 0
  fi
  ((${#selected[@]})) || selected=("${ALL_TOOLS[@]}")

  TOOLS_DIR=$(tools_dir)
  trap cleanup EXIT
  trap 'on_signal 129' HUP
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM

  local -A seen=()
  local -a tools=()
  for tool in "${selected[@]}"; do
    [[ -n ${seen[$tool]:-} ]] && continue
    seen[$tool]=1
    tools+=("$tool")
  done

  for tool in "${tools[@]}"; do
    resolve_tool "$tool"
  done

  if ((print_paths)); then
    for tool in "${tools[@]}"; do
      printf '%s=%s\n' "$(tool_override_var "$tool")" "${RESOLVED[$tool]}"
    done
  fi
}

# bash reads scripts incrementally; parsing the whole group (including the
# exit) up front keeps an edit of this file during a long build from making
# bash run whatever ends up after this point.
{
  main "$@"
  exit $?
}
