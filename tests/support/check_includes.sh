#!/bin/sh
# Fails when a module includes a layer it must not depend on (STYLE.md, dependency arrows).
root=${1:-.}
cd "$root" || exit 2
bad=0
check() { # folder pattern reason
  hits=$(grep -rnE "#include \"($2)" "$1" 2>/dev/null)
  if [ -n "$hits" ]; then echo "forbidden include in $1/ ($3):"; echo "$hits"; bad=1; fi
}
check engine 'compose/|cli/|net/' "engine/ reaches net through engine/network.h and never sees compose or cli"
check net 'compose/|cli/' "net/ never sees compose or cli"
check compose 'cli/|engine/(api|daemon|runtime|shim|cgroup|rootfs|process|image)/|net/' "compose reaches the engine only through EngineClient"
check schema 'cli/|engine/(api|daemon|runtime|shim)|net/' "schema is a leaf"
[ $bad -eq 0 ] && echo "layering ok"
exit $bad
