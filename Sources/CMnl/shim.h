/* libmnl, the minimal netlink library NftablesNetlink talks to the kernel with, and setns(),
 * which chooses the network namespace a socket is opened in. setns() is declared here rather than
 * by defining _GNU_SOURCE: that macro would change the system headers' definitions (fd_set) and
 * make this module disagree with every other module that includes them. */
#include <sys/socket.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

extern int setns(int fd, int nstype);

/* CLONE_NEWNET from <sched.h>, which only declares it under _GNU_SOURCE. */
static const int FWAUDIT_CLONE_NEWNET = 0x40000000;
