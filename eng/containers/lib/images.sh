# shellcheck shell=bash
# Reads eng/containers/images.list. Sourced, not executed.

# Prints the list's entries as "IMAGE<TAB>SCRIPT ARGS..." (comments and blank lines dropped).
# Usage: images_list [list file]
images_list() {
    local file="${1:-$(dirname "${BASH_SOURCE[0]}")/../images.list}" image rest
    while read -r image rest; do
        [[ -z "$image" || "$image" == \#* ]] && continue
        printf '%s\t%s\n' "$image" "$rest"
    done <"$file"
}
