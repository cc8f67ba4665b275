/*
 * listen.h - sockets the sidecar reads log messages from, besides files: a Unix stream or
 * datagram socket, and syslog over UDP or TCP on a loopback address (never the network:
 * raw personal data arrives here). Off unless asked for.
 *
 * Framing: a datagram is one message. On a stream, each message is either octet-counted
 * (RFC 6587 3.4.1: "LEN SP MSG", recognised by a leading digit) or ends at a newline
 * (3.4.2). A trailing CR LF or LF is not part of a message. A message longer than max_line
 * is reported as oversize (its bytes are discarded), and a stream whose count is not a
 * number is closed.
 */
#ifndef LSC_IO_LISTEN_H
#define LSC_IO_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

enum lsc_listen_kind {
    LSC_LISTEN_UNIX,     /* unix:/path      stream */
    LSC_LISTEN_UNIXGRAM, /* unixgram:/path  datagrams */
    LSC_LISTEN_UDP,      /* udp://127.0.0.1:5514 */
    LSC_LISTEN_TCP,      /* tcp://127.0.0.1:5514 */
};

struct lsc_conn {
    int fd;
    char *buf;
    size_t len, cap;
    size_t skip; /* bytes of an oversize message still to discard */
};

struct lsc_listener {
    enum lsc_listen_kind kind;
    int fd;
    char *path;             /* a Unix socket's path (removed at close) */
    struct lsc_conn *conns; /* stream connections */
    size_t nconns;
};

/*
 * Binds spec (see the kinds above). Internet addresses must be loopback (127.0.0.0/8, ::1,
 * localhost). A Unix socket path that exists as a socket is replaced. Returns false with a
 * message in err.
 */
bool lsc_listen_open(const char *spec, struct lsc_listener *l, char *err, size_t errlen);
void lsc_listen_close(struct lsc_listener *l);

/*
 * A TCP listening socket on a loopback address "HOST:PORT" (for --metrics-listen too).
 * Returns the fd, -2 for an address that is not loopback, -1 for anything else.
 */
int lsc_listen_tcp_loopback(const char *hostport);

/* Called for each message; p is NULL for an oversize one (len is then its length). */
typedef bool (*lsc_msg_fn)(void *ctx, const char *p, size_t len);

/*
 * Reads what the listener has now (accepting connections, reading datagrams and streams)
 * and hands over each complete message. Never blocks. Returns false if fn did.
 */
bool lsc_listen_pump(struct lsc_listener *l, size_t max_line, lsc_msg_fn fn, void *ctx);

/* The fds to poll: the listening socket and its connections; returns how many (<= cap). */
size_t lsc_listen_fds(const struct lsc_listener *l, int *fds, size_t cap);

#endif
