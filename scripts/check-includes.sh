#!/usr/bin/env bash
# Our Bazel visibility, as a grep: dependencies point one way
# (server -> sql -> query -> storage; server -> ingest -> storage; tools -> any
# module below server), and `<module>/internal/` is private to its module
# (tests/ and bench/ are white-box and may include internals). Exit 1 listing
# every violation.
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [storage]="storage"
  [ingest]="ingest storage"
  [query]="query storage"
  [sql]="sql query storage"
  [server]="server sql query ingest storage"
  [tools]="tools ingest query storage"
)
status=0
for module in "${!allowed[@]}"; do
  while IFS=: read -r file line include; do
    target=${include#*\"}
    target=${target%%\"*}
    target_module=${target%%/*}
    [[ -d "$target_module" && "$target_module" =~ ^(storage|ingest|query|sql|server|tools)$ ]] || continue
    if [[ " ${allowed[$module]} " != *" $target_module "* ]]; then
      echo "$file:$line: $module must not include $target (dependencies point server -> sql -> query -> storage)"
      status=1
    fi
    if [[ "$target" == */internal/* && "$target_module" != "$module" ]]; then
      echo "$file:$line: $target is internal to $target_module"
      status=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cc' '^#include "' "$module")
done
exit $status
