/* libnftnl, the kernel's nf_tables objects and expressions. <netinet/in.h> must come before any
 * <linux/netfilter*.h> header, or the kernel's and glibc's definitions of in_addr collide. */
#include <netinet/in.h>
#include <stdint.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/udata.h>
