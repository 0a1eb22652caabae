#!/usr/bin/env bash
# System pieces the PDF needs besides Pango: the book serif, the Japanese serif, and
# HarfBuzz's subsetter (WeasyPrint is 5-17% faster with it, research/performance.md §7).
# As root with apt-get they are installed; otherwise one line says how to get them.
set -u
missing=()
fc-list 2>/dev/null | grep -q "Linux Libertine O" || missing+=(fonts-linuxlibertine)
fc-list 2>/dev/null | grep -q "IPAexMincho" || missing+=(fonts-ipaexfont-mincho)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || missing+=(libharfbuzz-subset0)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "pressroom: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || echo "pressroom: could not install ${missing[*]}; PDFs will use fallback fonts" >&2
else
  echo "pressroom: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
fi
exit 0
