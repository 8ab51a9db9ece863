#!/bin/sh
# Fails when a module includes a layer it must not depend on (STYLE.md, dependency arrows).
root=${1:-.}
cd "$root" || exit 2
bad=0
check() { # folder pattern reason
  hits=$(grep -rnE "#include \"($2)" "$1" 2>/dev/null)
  if [ -n "$hits" ]; then echo "forbidden include in $1/ ($3):"; echo "$hits"; bad=1; fi
}
check engine 'compose/|cli/' "engine/ never sees compose or cli"
# Only the daemon's wiring names net/'s concrete classes; the rest uses engine/network.h.
hits=$(grep -rnE '#include "net/' engine --include=*.cc --include=*.h | grep -v '^engine/daemon/')
if [ -n "$hits" ]; then echo "forbidden include of net/ outside engine/daemon (use engine/network.h):"; echo "$hits"; bad=1; fi
check net 'compose/|cli/' "net/ never sees compose or cli"
check compose 'cli/|engine/(api|daemon|runtime|shim|cgroup|rootfs|process|image)/|net/' "compose reaches the engine only through EngineClient"
check schema 'cli/|engine/(api|daemon|runtime|shim)|net/' "schema is a leaf"
[ $bad -eq 0 ] && echo "layering ok"
exit $bad
