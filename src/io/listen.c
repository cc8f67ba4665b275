/*
 * listen.c - message sockets for the sidecar (see listen.h).
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONNS 64
#define DGRAM_MAX 65536

/* Parses "HOST:PORT" with a loopback HOST; fam/sa/len receive the address. -2: not loopback. */
static int loopback_addr(const char *hostport, struct sockaddr_storage *sa, socklen_t *len)
{
    char host[64];
    const char *colon = strrchr(hostport, ':');
    if (colon == NULL || colon == hostport || (size_t)(colon - hostport) >= sizeof host) {
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
        return -1;
    }
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof host, "127.0.0.1");
    }
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127) {
            return -2;
        }
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return 0;
    }
    size_t hl = strlen(host);
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) {
            return -2;
        }
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return 0;
    }
    return -2; /* a name other than localhost: not known to be loopback */
}

static int bound(int type, const struct sockaddr_storage *sa, socklen_t len)
{
    int s = socket(sa->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s, (const struct sockaddr *)sa, len) != 0 ||
        (type == SOCK_STREAM && listen(s, 16) != 0)) {
        int saved = errno;
        if (s >= 0) {
            close(s);
        }
        errno = saved;
        return -1;
    }
    return s;
}

int lsc_listen_tcp_loopback(const char *hostport)
{
    struct sockaddr_storage sa;
    socklen_t len;
    int r = loopback_addr(hostport, &sa, &len);
    return r < 0 ? r : bound(SOCK_STREAM, &sa, len);
}

bool lsc_listen_open(const char *spec, struct lsc_listener *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    const char *rest;
    if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "unixgram:", 9) == 0) {
        bool gram = spec[4] != ':';
        l->kind = gram ? LSC_LISTEN_UNIXGRAM : LSC_LISTEN_UNIX;
        rest = spec + (gram ? 9 : 5);
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        if (rest[0] == '\0' || strlen(rest) >= sizeof un.sun_path) {
            snprintf(err, errlen, "--listen %s: a socket path of 1 to %zu bytes", spec,
                     sizeof un.sun_path - 1);
            return false;
        }
        strcpy(un.sun_path, rest);
        struct stat sb;
        if (lstat(rest, &sb) == 0) {
            if (!S_ISSOCK(sb.st_mode)) {
                snprintf(err, errlen, "--listen %s: %s exists and is not a socket", spec, rest);
                return false;
            }
            unlink(rest); /* a socket left by an earlier run */
        }
        l->fd =
            socket(AF_UNIX, (gram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&un, sizeof un) != 0 ||
            (!gram && listen(l->fd, 16) != 0)) {
            snprintf(err, errlen, "--listen %s: %s", spec, strerror(errno));
            lsc_listen_close(l);
            return false;
        }
        l->path = strdup(rest);
        return true;
    }
    bool udp = strncmp(spec, "udp://", 6) == 0;
    if (!udp && strncmp(spec, "tcp://", 6) != 0) {
        snprintf(err, errlen,
                 "--listen %s: use unix:/PATH, unixgram:/PATH, udp://127.0.0.1:PORT or "
                 "tcp://127.0.0.1:PORT",
                 spec);
        return false;
    }
    l->kind = udp ? LSC_LISTEN_UDP : LSC_LISTEN_TCP;
    struct sockaddr_storage sa;
    socklen_t len;
    int r = loopback_addr(spec + 6, &sa, &len);
    if (r == -2) {
        snprintf(err, errlen,
                 "--listen %s: only a loopback address (127.0.0.1, [::1], localhost): raw "
                 "personal data must not arrive over the network",
                 spec);
        return false;
    }
    if (r < 0 || (l->fd = bound(udp ? SOCK_DGRAM : SOCK_STREAM, &sa, len)) < 0) {
        snprintf(err, errlen, "--listen %s: %s", spec, r < 0 ? "want HOST:PORT" : strerror(errno));
        return false;
    }
    return true;
}

static void drop_conn(struct lsc_listener *l, size_t i)
{
    close(l->conns[i].fd);
    free(l->conns[i].buf);
    l->conns[i] = l->conns[--l->nconns];
}

void lsc_listen_close(struct lsc_listener *l)
{
    while (l->nconns > 0) {
        drop_conn(l, l->nconns - 1);
    }
    free(l->conns);
    l->conns = NULL;
    if (l->fd >= 0) {
        close(l->fd);
        l->fd = -1;
    }
    if (l->path != NULL) {
        unlink(l->path);
        free(l->path);
        l->path = NULL;
    }
}

/* A message without its trailing CR LF / LF. */
static bool deliver(const char *p, size_t n, lsc_msg_fn fn, void *ctx)
{
    if (n > 0 && p[n - 1] == '\n') {
        n--;
    }
    if (n > 0 && p[n - 1] == '\r') {
        n--;
    }
    return fn(ctx, p, n);
}

/* Frames what c holds; returns 0, 1 (fn refused), or -1 (a broken octet count). */
static int frame(struct lsc_conn *c, size_t max_line, lsc_msg_fn fn, void *ctx)
{
    size_t pos = 0;
    for (;;) {
        if (c->skip > 0) {
            size_t k = c->len - pos < c->skip ? c->len - pos : c->skip;
            pos += k;
            c->skip -= k;
            if (c->skip > 0) {
                break;
            }
        }
        if (pos >= c->len) {
            break;
        }
        const char *p = c->buf + pos;
        size_t avail = c->len - pos;
        if (p[0] >= '0' && p[0] <= '9') {
            /* Octet counting: LEN SP MSG. */
            size_t k = 0, count = 0;
            while (k < avail && k < 10 && p[k] >= '0' && p[k] <= '9') {
                count = count * 10 + (size_t)(p[k] - '0');
                k++;
            }
            if (k == avail) {
                break; /* the count is not complete yet */
            }
            if (p[k] != ' ' || k == 10) {
                return -1;
            }
            if (count > max_line) {
                if (!fn(ctx, NULL, count)) {
                    return 1;
                }
                pos += k + 1;
                c->skip = count;
                continue;
            }
            if (avail < k + 1 + count) {
                break;
            }
            if (!deliver(p + k + 1, count, fn, ctx)) {
                return 1;
            }
            pos += k + 1 + count;
            continue;
        }
        const char *nl = memchr(p, '\n', avail);
        if (nl == NULL) {
            if (avail > max_line) {
                /* A newline-framed message longer than max_line: its bytes are dropped. */
                if (!fn(ctx, NULL, avail)) {
                    return 1;
                }
                pos = c->len;
            }
            break;
        }
        if ((size_t)(nl - p) > max_line) {
            if (!fn(ctx, NULL, (size_t)(nl - p))) {
                return 1;
            }
        } else if (!deliver(p, (size_t)(nl - p) + 1, fn, ctx)) {
            return 1;
        }
        pos += (size_t)(nl - p) + 1;
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
    return 0;
}

bool lsc_listen_pump(struct lsc_listener *l, size_t max_line, lsc_msg_fn fn, void *ctx)
{
    if (l->kind == LSC_LISTEN_UDP || l->kind == LSC_LISTEN_UNIXGRAM) {
        static char dgram[DGRAM_MAX];
        for (;;) {
            ssize_t r = recv(l->fd, dgram, sizeof dgram, MSG_TRUNC);
            if (r < 0) {
                return true; /* EAGAIN: nothing more now */
            }
            if ((size_t)r > sizeof dgram || (size_t)r > max_line) {
                if (!fn(ctx, NULL, (size_t)r)) {
                    return false;
                }
            } else if (!deliver(dgram, (size_t)r, fn, ctx)) {
                return false;
            }
        }
    }
    for (;;) {
        int c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) {
            break;
        }
        if (l->nconns == MAX_CONNS) {
            close(c);
            continue;
        }
        struct lsc_conn *v = realloc(l->conns, (l->nconns + 1) * sizeof *v);
        if (v == NULL) {
            close(c);
            continue;
        }
        l->conns = v;
        l->conns[l->nconns++] = (struct lsc_conn){.fd = c};
    }
    for (size_t i = 0; i < l->nconns;) {
        struct lsc_conn *c = &l->conns[i];
        bool closed = false;
        for (;;) {
            if (c->cap - c->len < 4096) {
                size_t cap = c->cap ? 2 * c->cap : 8192;
                if (cap > max_line + 8192) {
                    cap = max_line + 8192;
                }
                if (cap <= c->cap) {
                    break; /* full: frame() makes room */
                }
                char *nb = realloc(c->buf, cap);
                if (nb == NULL) {
                    break;
                }
                c->buf = nb;
                c->cap = cap;
            }
            ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                closed = true;
                break;
            }
            if (r < 0) {
                break;
            }
            c->len += (size_t)r;
            int fr = frame(c, max_line, fn, ctx);
            if (fr == 1) {
                return false;
            }
            if (fr < 0) {
                closed = true;
                break;
            }
        }
        if (closed) {
            /* What a closed stream left unfinished (no newline, or fewer bytes than its
             * count) is still one message: scrubbed and written, not lost. */
            if (c->len > 0 && c->skip == 0 && !deliver(c->buf, c->len, fn, ctx)) {
                return false;
            }
            drop_conn(l, i);
        } else {
            i++;
        }
    }
    return true;
}

size_t lsc_listen_fds(const struct lsc_listener *l, int *fds, size_t cap)
{
    size_t n = 0;
    if (n < cap && l->fd >= 0) {
        fds[n++] = l->fd;
    }
    for (size_t i = 0; i < l->nconns && n < cap; i++) {
        fds[n++] = l->conns[i].fd;
    }
    return n;
}
