#!/usr/bin/env bash
# Checks po/POTFILES.in against the source tree:
#  - every file it lists exists;
#  - no file is listed twice;
#  - every file under src/ with a translatable string is listed (or named in
#    po/POTFILES.skip): C code that calls _(), N_(), C_(), NC_() or one of the
#    *gettext() functions, and GtkBuilder files with translatable="yes".
#
# Usage: check-potfiles.sh [SOURCE-ROOT]   (default: the repository root)

set -u
export LC_ALL=C

srcroot=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
potfiles="$srcroot/po/POTFILES.in"
skipfile="$srcroot/po/POTFILES.skip"

if [[ ! -f $potfiles ]]; then
  echo "error: $potfiles not found" >&2
  exit 1
fi

# Entries of a POTFILES-style file: no comments, no blank lines, no CR, no
# surrounding blanks.
entries() {
  sed -e 's/\r$//' -e 's/#.*$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$1" | grep -v '^$'
}

status=0
declare -A listed=()

while IFS= read -r f; do
  if [[ -n ${listed[$f]+x} ]]; then
    echo "error: po/POTFILES.in lists $f more than once" >&2
    status=1
  fi
  listed[$f]=1
  if [[ ! -f $srcroot/$f ]]; then
    echo "error: po/POTFILES.in lists $f, which does not exist" >&2
    status=1
  fi
done < <(entries "$potfiles")

declare -A skipped=()
if [[ -f $skipfile ]]; then
  while IFS= read -r f; do
    skipped[$f]=1
  done < <(entries "$skipfile")
fi

# A gettext call: the marker must not be the tail of a longer identifier
# (so my_func_( or G_N_ELEMENTS( do not count); GNU style may put blanks
# before the parenthesis. Lines that define the macros themselves do not count.
c_marks='(^|[^[:alnum:]_])((N|C|NC)?_|g_d?n?gettext|g_dc?gettext|g_dpgettext2?|d?c?n?gettext|pgettext|npgettext)[[:space:]]*\('
ui_marks='translatable[[:space:]]*=[[:space:]]*"(yes|true|1)"'

has_strings() {
  local file=$1
  case $file in
    *.c|*.h)
      # True when a marked line remains once #define/#undef lines are dropped.
      grep -E "$c_marks" "$file" 2>/dev/null \
        | grep -Evq '^[[:space:]]*#[[:space:]]*(define|undef)[[:space:]]'
      ;;
    *.ui)
      grep -Eq "$ui_marks" "$file" 2>/dev/null
      ;;
    *)
      # Any other text file: either kind of marker.
      grep -Eq "$ui_marks|(^|[^[:alnum:]_])N?_[[:space:]]*\(" "$file" 2>/dev/null
      ;;
  esac
}

if [[ -d $srcroot/src ]]; then
  while IFS= read -r -d '' path; do
    rel=${path#"$srcroot"/}
    case $rel in
      *.c|*.h|*.ui|*.in|*.xml|*.js|*.py|*.vala|*.blp) ;;
      *) continue ;;
    esac
    if has_strings "$path"; then
      if [[ -z ${listed[$rel]+x} && -z ${skipped[$rel]+x} ]]; then
        echo "error: $rel has translatable strings but is not in po/POTFILES.in" >&2
        status=1
      fi
    fi
  done < <(find "$srcroot/src" -type f -print0 | sort -z)
fi

if [[ $status -eq 0 ]]; then
  echo "po/POTFILES.in: ${#listed[@]} files, complete"
fi
exit $status
