#!/usr/bin/env bash
# Checks that every translation in po/LINGUAS covers every translatable string
# in the current sources:
#  1. regenerates the template from po/POTFILES.in with xgettext, using the
#     same options as the 'glib' preset of meson's i18n.gettext() (.ui,
#     desktop, metainfo and schema files go through the ITS rules installed
#     by gettext, GTK, AppStream and GLib);
#  2. merges each LANG.po with it into a temporary file (the po/ files are
#     never touched);
#  3. runs `msgfmt --check --statistics` on the result and fails when it
#     reports an error, an untranslated or a fuzzy message, listing them.
#
# To fix a failure: meson compile -C BUILDDIR callnotes-update-po (or
# msgmerge --update po/LANG.po with a fresh template), then translate the
# listed messages and remove their "fuzzy" flags.
#
# Usage: check-po-complete.sh [SOURCE-ROOT [PO-DIR]]
#   SOURCE-ROOT  default: the repository root
#   PO-DIR       default: SOURCE-ROOT/po (holds POTFILES.in, LINGUAS, *.po)

set -u
# Tool messages (and the statistics line parsed below) in English.
export LC_ALL=C
unset LANGUAGE

srcroot=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
podir=${2:-$srcroot/po}
domain=callnotes

for tool in xgettext msgmerge msgfmt msgattrib; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found (install gettext)"
    exit 77
  fi
done

if [[ ! -f $podir/POTFILES.in ]]; then
  echo "error: $podir/POTFILES.in not found" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-po-complete.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Same keywords and flags as meson's i18n 'glib' preset (po/meson.build).
if ! xgettext \
    --package-name="$domain" \
    --from-code=UTF-8 \
    --add-comments \
    --keyword=_ \
    --keyword=N_ \
    --keyword=C_:1c,2 \
    --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 \
    --keyword=g_dngettext:2,3 \
    --keyword=g_dpgettext2:2c,3 \
    --flag=N_:1:pass-c-format \
    --flag=C_:2:pass-c-format \
    --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format \
    --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format \
    --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format \
    --flag=g_set_error:4:c-format \
    --flag=g_markup_printf_escaped:1:c-format \
    --flag=g_log:3:c-format \
    --flag=g_print:1:c-format \
    --flag=g_printerr:1:c-format \
    --flag=g_printf:1:c-format \
    --flag=g_fprintf:2:c-format \
    --flag=g_sprintf:2:c-format \
    --flag=g_snprintf:3:c-format \
    --directory="$srcroot" \
    --files-from="$podir/POTFILES.in" \
    --output="$tmp/$domain.pot" 2>"$tmp/xgettext.log"; then
  cat "$tmp/xgettext.log" >&2
  echo "error: xgettext could not extract the strings listed in $podir/POTFILES.in" >&2
  exit 1
fi
# A file type xgettext does not know (e.g. missing ITS rules) is extracted
# wrongly; say so rather than pass or fail for the wrong reason.
if grep -q 'is unknown' "$tmp/xgettext.log"; then
  cat "$tmp/xgettext.log" >&2
  echo "error: xgettext does not know how to read some files in POTFILES.in" >&2
  exit 1
fi

if [[ ! -s $tmp/$domain.pot ]]; then
  echo "error: the template is empty; no translatable strings found" >&2
  exit 1
fi

# The languages: po/LINGUAS, else every *.po in the po dir.
langs=()
if [[ -f $podir/LINGUAS ]]; then
  while IFS= read -r line; do
    line=${line%%#*}
    for lang in $line; do
      langs+=("$lang")
    done
  done <"$podir/LINGUAS"
else
  for f in "$podir"/*.po; do
    [[ -e $f ]] && langs+=("$(basename "$f" .po)")
  done
fi

if [[ ${#langs[@]} -eq 0 ]]; then
  echo "error: no languages in $podir/LINGUAS" >&2
  exit 1
fi

# Prints the messages of a PO file except the header, in PO form.
list_messages() {
  msgattrib --no-wrap "$@" | awk '
    BEGIN { RS = ""; ORS = "\n\n" }
    # The header: msgid "" directly followed by msgstr.
    /(^|\n)msgid ""\nmsgstr/ { next }
    { s = $0; gsub(/\n/, "\n    ", s); print "    " s }
  '
}

status=0
for lang in "${langs[@]}"; do
  po=$podir/$lang.po
  merged=$tmp/$lang.po

  if [[ ! -f $po ]]; then
    echo "error: $lang is in LINGUAS but $po does not exist" >&2
    status=1
    continue
  fi

  if ! msgmerge --quiet --previous --output-file="$merged" "$po" "$tmp/$domain.pot"; then
    echo "error: msgmerge failed for $po" >&2
    status=1
    continue
  fi

  if ! stats=$(msgfmt --check --statistics --output-file=/dev/null "$merged" 2>&1); then
    echo "$stats" >&2
    echo "error: $lang.po does not compile (msgfmt --check, after merging with the template)" >&2
    status=1
    continue
  fi
  stats=$(printf '%s\n' "$stats" | tail -n 1)

  if [[ $stats == *untranslated* || $stats == *fuzzy* ]]; then
    echo "error: $lang.po is incomplete for the current sources: $stats" >&2
    if [[ $stats == *untranslated* ]]; then
      echo "  untranslated (new strings):" >&2
      list_messages --untranslated --no-obsolete "$merged" >&2
    fi
    if [[ $stats == *fuzzy* ]]; then
      echo "  fuzzy (the English changed, or the translation needs review):" >&2
      list_messages --only-fuzzy --no-obsolete "$merged" >&2
    fi
    status=1
  else
    echo "$lang.po: $stats"
  fi
done

exit $status
