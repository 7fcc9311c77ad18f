/* Calls as text: addresses and bytes written the way C and Python programs write them, for
 * the demo interpreter (run.c) and the projects (project.c). Language-neutral. */
#ifndef SOCKTUTOR_CALLTEXT_H
#define SOCKTUTOR_CALLTEXT_H

#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Bytes of data shown before a preview is cut. */
#define CT_DATA_PREVIEW 24

/* The size of a struct sockaddr_in or sockaddr_in6, for the address's family. */
socklen_t ct_sa_len(const struct sockaddr_storage *a);
/* The numeric host of an address. */
void ct_host_of(const struct sockaddr_storage *a, char *host, size_t len);
/* {AF_INET, 127.0.0.1:40123} */
void ct_sa_c(strbuf *sb, const struct sockaddr_storage *a);
/* An address argument closing a C call: "{AF_INET, 127.0.0.1:40123}, 16)"; "?)" when the
 * address is not known. */
void ct_sa_in_c(strbuf *sb, const struct sockaddr_storage *a, bool known);
/* An address a call returns, closing a C call: "{AF_INET, ...}, [16])"; before it returned,
 * "&addr, &len)". */
void ct_sa_out_c(strbuf *sb, const struct sockaddr_storage *a, bool known);
/* ('127.0.0.1', 40123); an IPv6 address Python returns is a 4-tuple */
void ct_sa_py(strbuf *sb, const struct sockaddr_storage *a, bool returned);
/* Bytes as a C string literal ("...", zero bytes as \0) or a Python bytes literal (b'...');
 * long data is cut to a preview. */
void ct_data(strbuf *sb, const char *d, size_t n, bool python);
void ct_data_c(strbuf *sb, const char *d, size_t n);
void ct_data_py(strbuf *sb, const char *d, size_t n);
/* Every byte as a Python bytes literal, without a preview cut. */
void ct_data_py_all(strbuf *sb, const char *d, size_t n);
/* Bytes as hex pairs, "68 65 6c 6c 6f 0a": at most max bytes, then " ...". */
void ct_hex(strbuf *sb, const char *d, size_t n, size_t max);

#endif
