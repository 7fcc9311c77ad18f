/* The state observer: what the kernel says about sockets, read two ways, both unprivileged.
 * observe_fd_state() asks one descriptor the program holds (TCP_INFO); observe_snapshot()
 * lists every socket on given ports through sock_diag (netlink), including the ones no
 * descriptor holds: TIME_WAIT after an active close and SYN_RECV request sockets before
 * accept(). A TCP snapshot costs two walks of the kernel's whole socket hash (2.5 ms on a
 * 24 GB machine, however few sockets match): take one after each step of a demo, not in a
 * busy loop. observe_fd_state() costs about 2 microseconds. No curses here. */
#ifndef SOCKTUTOR_OBSERVE_H
#define SOCKTUTOR_OBSERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* TCP states numbered as Linux numbers them (include/net/tcp_states.h): the values of
 * TCP_INFO's tcpi_state and of sock_diag's idiag_state. UDP sockets reuse two of them:
 * TCPS_ESTABLISHED when connected, TCPS_CLOSE when not (which ss prints as UNCONN). */
typedef enum tcp_state {
	TCPS_NONE = 0,		/* not a state: "no answer" */
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2,
	TCPS_TIME_WAIT,
	TCPS_CLOSE,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_LISTEN,
	TCPS_CLOSING
} tcp_state;

/* Which timer the kernel runs for a socket (sock_diag's idiag_timer). */
typedef enum observe_timer {
	OBSERVE_TIMER_NONE = 0,
	OBSERVE_TIMER_RETRANSMIT = 1,	/* also the SYN and SYN-ACK retransmissions */
	OBSERVE_TIMER_KEEPALIVE = 2,
	OBSERVE_TIMER_TIME_WAIT = 3,
	OBSERVE_TIMER_PROBE = 4		/* zero-window probe */
} observe_timer;

/* One socket as sock_diag reports it. */
typedef struct observe_entry {
	int family;		/* AF_INET or AF_INET6 (an IPv4 peer of a dual-stack socket
				 * shows as an IPv4-mapped IPv6 address) */
	int protocol;		/* IPPROTO_TCP or IPPROTO_UDP, as asked */
	tcp_state state;
	struct sockaddr_storage local, remote;	/* remote port 0 when not connected */
	/* For a LISTEN socket: rqueue is the accept queue's length (connections completed and
	 * not yet accepted) and wqueue the backlog given to listen(), capped by somaxconn.
	 * For another TCP socket: bytes received and not yet read, bytes sent and not yet
	 * acknowledged (a SYN or FIN counts as one). For UDP: the memory the queued datagrams
	 * take, overhead included (two 5-byte datagrams read 1664). */
	unsigned rqueue, wqueue;
	unsigned inode;		/* fstat()'s st_ino of the descriptor; 0 when none holds it
				 * (TIME_WAIT, SYN_RECV, a connection not yet accepted) */
	uid_t uid;		/* 0 for TIME_WAIT and SYN_RECV whoever the owner was */
	observe_timer timer;
	unsigned retrans;	/* retransmissions so far, of SYNs and SYN-ACKs too */
	unsigned expires_ms;	/* when the timer fires; 0 without a timer */
	int ifindex;		/* the device it is bound to (SO_BINDTODEVICE), 0 for none */
} observe_entry;

/* The kernel's name of a TCP state: "ESTABLISHED", "SYN_SENT", ..., "TIME_WAIT", "CLOSE",
 * "LISTEN", "CLOSING"; "UNKNOWN" for anything else. */
const char *observe_state_name(tcp_state st);

/* The name of an entry's state: as observe_state_name(), except that an unconnected UDP
 * socket is "UNCONN" (as ss prints it), not "CLOSE". */
const char *observe_entry_state_name(const observe_entry *e);

/* The state of a TCP socket the program holds. Returns 0, or -1 with errno set
 * (EBADF, ENOTSOCK; ENOPROTOOPT or EOPNOTSUPP when fd is not TCP). A socket that
 * completed an active close reads TCPS_CLOSE: its TIME_WAIT is a separate kernel object,
 * seen only by observe_snapshot(). */
int observe_fd_state(int fd, tcp_state *st);

/* Lists the sockets of protocol (IPPROTO_TCP or IPPROTO_UDP), IPv4 and IPv6, in every
 * state, whose local or remote port is one of ports[0..nports) (zeros are skipped); with
 * ports NULL, every socket of the protocol in the network namespace. Ports are filtered,
 * not owners: TIME_WAIT and SYN_RECV entries report uid 0. TCP sockets bound but neither
 * listening nor connected show as TCPS_CLOSE. Entries are sorted by family, local port,
 * remote port, state. On success *out (free with observe_free(), NULL when *count is 0)
 * and *count are set and 0 returned; else -1 with errno set (EINVAL for another protocol,
 * or what socket(2), sendmsg(2), recvmsg(2) or the kernel's answer reported). */
int observe_snapshot(int protocol, const uint16_t *ports, size_t nports,
		     observe_entry **out, size_t *count);

/* The same through diag, a NETLINK_SOCK_DIAG socket the caller holds: it lists the sockets
 * of the network namespace diag was created in (the packet lab's namespaces). With diag -1,
 * as observe_snapshot(). */
int observe_snapshot_in(int diag, int protocol, const uint16_t *ports, size_t nports,
			observe_entry **out, size_t *count);

void observe_free(observe_entry *entries);

/* The sockets this process holds that other machines could reach: TCP sockets in LISTEN and
 * UDP sockets whose local address is neither loopback (127.0.0.0/8, ::1, or IPv4-mapped
 * 127.x) nor bound to the loopback device. Held means a descriptor of this process refers
 * to it (/proc/self/fd). Read through sock_diag in this network namespace only: a socket in
 * a namespace of the packet lab is never listed. *out and *count as observe_snapshot();
 * 0 on success, else -1 with errno set. */
int observe_exposed(observe_entry **out, size_t *count);

/* The port of an AF_INET or AF_INET6 address in host byte order; 0 for anything else. */
uint16_t observe_port(const struct sockaddr_storage *addr);

/* One line as `ss -tan` prints it: state, Recv-Q, Send-Q, local and peer address:port
 * ("*" for a peer port 0, IPv6 addresses in brackets, "%lo" after the local address of a
 * socket bound to a device), in columns, no newline. The caller frees it. */
char *observe_format(const observe_entry *e);

#endif
