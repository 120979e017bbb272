/* libmnl, the minimal netlink library NftablesNetlink talks to the kernel with. */
#include <sys/socket.h>
#include <libmnl/libmnl.h>
