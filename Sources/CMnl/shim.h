/* libmnl, the minimal netlink library NftablesNetlink talks to the kernel with, and the
 * namespace calls (setns) that choose which network namespace a socket is opened in. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <sys/socket.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
