#!/bin/sh
# scripts/dist-complete.sh TARBALL - every file git tracks is in the
# release tarball (make distcheck runs a part of the suite from it, so a
# file the other tests need but EXTRA_DIST forgot is caught here). Files
# that only a git checkout needs are named below. Prints what is missing;
# exits 1 if anything is. Without git (a tarball build) it checks nothing.
set -u
tarball=${1:?usage: dist-complete.sh TARBALL}
top=$(cd "$(dirname "$0")/.." && pwd)
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || { echo "dist-complete: not a git checkout, skipped"; exit 0; }
list=$(mktemp) || exit 1
trap 'rm -f "$list"' EXIT
tar -tzf "$tarball" | sed 's#^[^/]*/##' | sort -u > "$list" || exit 1
missing=$(git -C "$top" ls-files | grep -vxE '\.gitignore' | sort | comm -23 - "$list")
if [ -n "$missing" ]; then
	echo "dist-complete: tracked but not in $(basename "$tarball") (add to EXTRA_DIST):"
	printf '  %s\n' $missing
	exit 1
fi
echo "dist-complete: $(git -C "$top" ls-files | wc -l) tracked files, all in $(basename "$tarball")"
