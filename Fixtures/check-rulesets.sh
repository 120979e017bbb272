#!/usr/bin/env bash
# Check every iptables-save fixture under Fixtures/ with the real kernel tools.
#
# For each *.v4 file:  iptables-restore  --test FILE
# For each *.v6 file:  ip6tables-restore --test FILE
# always inside a private, throw-away network namespace (unshare -n; unshare -rn when not root),
# so the host's own firewall is never read or changed.
#
# Options:
#   --variant default|nft|legacy  which iptables binaries to use (default: the iptables alternative,
#                                 i.e. iptables-restore; nft: iptables-nft-restore; legacy:
#                                 iptables-legacy-restore). Env IPTABLES_RESTORE / IP6TABLES_RESTORE
#                                 override the binaries directly.
#   --roundtrip                   also load each file in the namespace, read it back with
#                                 iptables-save / ip6tables-save and require the same lines as the
#                                 file (comments and counters ignored): the fixture is written the
#                                 way the tool prints it.
#
# Prints "ok FILE" per passing file, "FAIL FILE" and the tool's error otherwise.
# Exit status: 0 all passed, 1 a file failed, 2 the check could not run.
set -u -o pipefail

variant=default
roundtrip=0
while [ $# -gt 0 ]; do
    case "$1" in
        --variant) variant="${2:-}"; shift 2 || { echo "missing value for --variant" >&2; exit 2; } ;;
        --variant=*) variant="${1#--variant=}"; shift ;;
        --roundtrip) roundtrip=1; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

case "$variant" in
    default) suffix="" ;;
    nft) suffix="-nft" ;;
    legacy) suffix="-legacy" ;;
    *) echo "unknown variant: $variant (default, nft or legacy)" >&2; exit 2 ;;
esac
v4_restore="${IPTABLES_RESTORE:-iptables${suffix}-restore}"
v6_restore="${IP6TABLES_RESTORE:-ip6tables${suffix}-restore}"
v4_save="${IPTABLES_SAVE:-iptables${suffix}-save}"
v6_save="${IP6TABLES_SAVE:-ip6tables${suffix}-save}"

for tool in "$v4_restore" "$v6_restore" unshare; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "not found: $tool (apt-get install -y iptables util-linux)" >&2
        exit 2
    fi
done

# A private network namespace; an unprivileged user also needs a user namespace for it.
if [ "$(id -u)" -eq 0 ]; then
    netns=(unshare -n --)
else
    netns=(unshare -r -n --)
fi
if ! "${netns[@]}" true 2>/dev/null; then
    echo "cannot create a network namespace with: ${netns[*]}" >&2
    exit 2
fi

fixtures="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$fixtures" || exit 2

version="$("${netns[@]}" "${v4_restore%-restore}" --version 2>/dev/null || true)"
echo "# checked with: ${version:-$v4_restore (version unknown)} in ${netns[*]}"

# Lines that must survive a load/save round trip: everything but comments, counters zeroed.
normalize() {
    grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]$/[0:0]/'
}

files=()
while IFS= read -r -d '' f; do
    files+=("${f#./}")
done < <(find . -type f \( -name '*.v4' -o -name '*.v6' \) -print0 | sort -z)

if [ ${#files[@]} -eq 0 ]; then
    echo "no *.v4 or *.v6 files under $fixtures" >&2
    exit 2
fi

failed=0
for f in "${files[@]}"; do
    case "$f" in
        *.v4) restore="$v4_restore"; save="$v4_save" ;;
        *.v6) restore="$v6_restore"; save="$v6_save" ;;
    esac
    if ! err="$("${netns[@]}" "$restore" --test "$f" 2>&1)"; then
        echo "FAIL $f ($restore --test)"
        printf '%s\n' "$err" | sed 's/^/    /'
        failed=1
        continue
    fi
    if [ "$roundtrip" -eq 1 ]; then
        # Load and save in the same throw-away namespace; "$0" is the script name for sh -c.
        if ! saved="$("${netns[@]}" sh -c '"$1" "$2" && "$3"' sh "$restore" "$f" "$save" 2>&1)"; then
            echo "FAIL $f ($restore, $save)"
            printf '%s\n' "$saved" | sed 's/^/    /'
            failed=1
            continue
        fi
        if ! d="$(diff <(normalize <"$f") <(printf '%s\n' "$saved" | normalize))"; then
            echo "FAIL $f (differs from $save output: < file, > saved)"
            printf '%s\n' "$d" | sed 's/^/    /'
            failed=1
            continue
        fi
    fi
    echo "ok $f"
done
exit "$failed"
