#include "config.h"

#include "errnames.h"
#include "i18n.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const struct {
	int value;
	const char *name;
	const char *python;
	const char *explain;
} table[] = {
	{ EAGAIN, "EAGAIN", "BlockingIOError",
	  N_("nothing to do yet: the call would have to wait, and the socket is non-blocking or its timeout ran out") },
	{ EINPROGRESS, "EINPROGRESS", "BlockingIOError",
	  N_("the connection has started and is not complete yet (non-blocking connect)") },
	{ EALREADY, "EALREADY", "BlockingIOError",
	  N_("a connection attempt is already in progress on this socket") },
	{ ECONNREFUSED, "ECONNREFUSED", "ConnectionRefusedError",
	  N_("nobody listens on that port: the peer's kernel answered with a reset (RST)") },
	{ ECONNRESET, "ECONNRESET", "ConnectionResetError",
	  N_("the peer reset the connection (it sent RST): data in flight is lost") },
	{ ECONNABORTED, "ECONNABORTED", "ConnectionAbortedError",
	  N_("the connection was aborted before it could be accepted") },
	{ EPIPE, "EPIPE", "BrokenPipeError",
	  N_("writing to a connection that can no longer send (shut down or reset)") },
	{ EADDRINUSE, "EADDRINUSE", "OSError",
	  N_("another socket already uses this address and port (perhaps in TIME_WAIT)") },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL", "OSError",
	  N_("this address does not belong to any interface of this machine") },
	{ EACCES, "EACCES", "PermissionError",
	  N_("permission denied: ports below 1024 need privilege") },
	{ EPERM, "EPERM", "PermissionError",
	  N_("the operation is not permitted for this user") },
	{ EINVAL, "EINVAL", "OSError",
	  N_("an invalid argument for this socket in its current state (already bound? not listening?)") },
	{ EISCONN, "EISCONN", "OSError",
	  N_("the socket is already connected") },
	{ ENOTCONN, "ENOTCONN", "OSError",
	  N_("the socket is not connected") },
	{ EBADF, "EBADF", "OSError",
	  N_("not an open descriptor: the socket was already closed") },
	{ ENOTSOCK, "ENOTSOCK", "OSError",
	  N_("the descriptor is not a socket") },
	{ EOPNOTSUPP, "EOPNOTSUPP", "OSError",
	  N_("this socket type does not support the operation (listen on UDP?)") },
	{ EDESTADDRREQ, "EDESTADDRREQ", "OSError",
	  N_("no destination: the socket is not connected and no address was given") },
	{ EMSGSIZE, "EMSGSIZE", "OSError",
	  N_("the datagram is too large to send in one piece") },
	{ ETIMEDOUT, "ETIMEDOUT", "TimeoutError",
	  N_("the peer did not answer in time") },
	{ EHOSTUNREACH, "EHOSTUNREACH", "OSError",
	  N_("no route to that host") },
	{ ENETUNREACH, "ENETUNREACH", "OSError",
	  N_("no route to that network") },
	{ EAFNOSUPPORT, "EAFNOSUPPORT", "OSError",
	  N_("the address family does not match the socket (IPv6 address on an IPv4 socket?)") },
	{ ENOPROTOOPT, "ENOPROTOOPT", "OSError",
	  N_("this option does not exist at that level for this socket") },
	{ EMFILE, "EMFILE", "OSError",
	  N_("the process has no free file descriptor left") },
	{ EINTR, "EINTR", "InterruptedError",
	  N_("a signal interrupted the call") },
	/* the file server project opens files */
	{ ENOENT, "ENOENT", "FileNotFoundError",
	  N_("there is no file of that name") },
	{ ELOOP, "ELOOP", "OSError",
	  N_("the name is a symbolic link, and O_NOFOLLOW forbids following it") },
};

const char *errno_name(int err)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].value == err)
			return table[i].name;
	return NULL;
}

int errno_value(const char *name)
{
	if (strcmp(name, "EWOULDBLOCK") == 0)
		return EAGAIN;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].value;
	return -1;
}

const char *errno_explain(int err)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].value == err)
			return table[i].explain;
	return strerror(err);
}

const char *errno_python(int err)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].value == err)
			return table[i].python;
	return "OSError";
}
