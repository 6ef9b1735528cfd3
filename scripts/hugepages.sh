#!/usr/bin/env bash
# 2 MB hugepages for the DPDK data plane, by hand (tlsfp run does the same
# on its own as root and gives them back at exit).
#
#   scripts/hugepages.sh status           free/total pages and hugetlbfs mounts
#   scripts/hugepages.sh reserve [PAGES]  add PAGES (default 256 = 512 MB) to
#                                         nr_hugepages, mount hugetlbfs on
#                                         /dev/hugepages if none is mounted;
#                                         the previous state is saved
#   scripts/hugepages.sh release          put back what `reserve` changed
#
# Needs root for reserve/release. The saved state is in
# /run/tlsfp-hugepages.state; release without it changes nothing.
set -euo pipefail

SYS=/sys/kernel/mm/hugepages/hugepages-2048kB
NR=/proc/sys/vm/nr_hugepages
STATE=/run/tlsfp-hugepages.state
MNT=/dev/hugepages

status() {
	echo "2 MB hugepages: $(cat $SYS/free_hugepages) free of $(cat $SYS/nr_hugepages)"
	local m
	m=$(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts)
	echo "hugetlbfs mounted on: ${m:-(none)}"
	[ -f "$STATE" ] && echo "reserved by this script: $(cat "$STATE")"
	return 0
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "hugepages.sh: $1 needs root (without hugepages tlsfp run uses --no-huge)" >&2
		exit 1
	fi
}

reserve() {
	local pages=${1:-256} old mounted=0 got
	[[ "$pages" =~ ^[0-9]+$ ]] && [ "$pages" -gt 0 ] || {
		echo "hugepages.sh: reserve: PAGES must be a whole number > 0, got '$pages'" >&2
		exit 2
	}
	need_root reserve
	if [ -f "$STATE" ]; then
		echo "hugepages.sh: already reserved ($(cat "$STATE")): release first" >&2
		exit 1
	fi
	old=$(cat $NR)
	if ! awk '$3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
		mkdir -p $MNT
		mount -t hugetlbfs nodev $MNT
		mounted=1
	fi
	echo "old_nr=$old mounted=$mounted" > "$STATE"
	echo $((old + pages)) > $NR
	got=$(( $(cat $NR) - old ))
	if [ "$got" -lt "$pages" ]; then
		echo "hugepages.sh: asked for $pages pages, the kernel gave $got (memory fragmented?)" >&2
	fi
	status
}

release() {
	need_root release
	if [ ! -f "$STATE" ]; then
		echo "hugepages.sh: nothing reserved by this script"
		return 0
	fi
	local old_nr mounted
	old_nr=$(sed -n 's/.*old_nr=\([0-9]*\).*/\1/p' "$STATE")
	mounted=$(sed -n 's/.*mounted=\([01]\).*/\1/p' "$STATE")
	if [ "$mounted" = 1 ]; then
		umount $MNT || echo "hugepages.sh: umount $MNT failed (in use?)" >&2
	fi
	echo "${old_nr:-0}" > $NR
	rm -f "$STATE"
	status
}

case "${1:-status}" in
status) status ;;
reserve) reserve "${2:-256}" ;;
release) release ;;
*)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
