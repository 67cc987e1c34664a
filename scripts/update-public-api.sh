#!/usr/bin/env bash
# Refreshes src/DLBricks/PublicAPI.Unshipped.txt from the compiled public surface: every symbol the build reports as
# undeclared (RS0016) is added, every declared symbol the build no longer finds (RS0017) is removed from either listing.
# Run it after a merge that adds or removes public API, review the diff of the two listings, and commit them.
# See docs/architecture.md ("The public surface").
#
#   scripts/update-public-api.sh            (rebuilds src/DLBricks in Release)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
project="$root/src/DLBricks/DLBricks.csproj"
shipped="$root/src/DLBricks/PublicAPI.Shipped.txt"
unshipped="$root/src/DLBricks/PublicAPI.Unshipped.txt"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# A no-incremental build so the analyzer reports every file, not only the ones that changed since the last build.
dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || {
  echo "update-public-api: the build failed; fix it first:" >&2
  grep -E " error " "$log" | sort -u >&2 || tail -20 "$log" >&2
  exit 2
}

python3 - "$log" "$shipped" "$unshipped" <<'PY'
import re, sys
log, shipped, unshipped = sys.argv[1:]
text = open(log, encoding="utf-8").read()
added = set(re.findall(r"warning RS0016: Symbol '(.*?)' is not part of the declared public API", text))
removed = set(re.findall(r"warning RS0017: Symbol '(.*?)' is part of the declared API, but is either not public or could not be found", text))

def read(path):
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
    return [l for l in lines if l and l != "#nullable enable"]

def write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#nullable enable\n")
        for l in sorted(set(lines)):  # ordinal order, as the analyzer's own code fix keeps it
            f.write(l + "\n")

old_shipped, old_unshipped = read(shipped), read(unshipped)
# RS0017 names a removed symbol the way the listing spells it; a '*REMOVED*' marker line is not needed in this repository.
new_shipped = [l for l in old_shipped if l not in removed]
new_unshipped = [l for l in old_unshipped if l not in removed] + sorted(added - set(old_unshipped) - set(new_shipped))
write(shipped, new_shipped)
write(unshipped, new_unshipped)
print(f"update-public-api: {len(added)} added, {len(removed & (set(old_shipped) | set(old_unshipped)))} removed "
      f"({len(new_shipped)} shipped, {len(new_unshipped)} unshipped lines)")
PY
