#ifndef LUCHT_TEST_SUPPORT_H
#define LUCHT_TEST_SUPPORT_H

/*
 * Helpers that several unit tests need. Each test is one .c file built into its own program,
 * so they live here as static functions; `inline` only keeps a program that uses some of them
 * free of unused-function warnings. Those that assert fail the calling test.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A folder of the test's own under /tmp and the path of one file in it. */
struct temp_file {
	char dir[64];
	char path[128];
};

/* Makes the folder from template ("/tmp/...-XXXXXX") and names the file in it (not made yet).
 * 0, or -1 for a cmocka setup to return. */
static inline int temp_file_make(struct temp_file *t, const char *template, const char *name)
{
	snprintf(t->dir, sizeof(t->dir), "%s", template);
	if (!mkdtemp(t->dir))
		return -1;
	int n = snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
	return n > 0 && (size_t)n < sizeof(t->path) ? 0 : -1;
}

/* Removes the file and the folder; -1 when the folder cannot go: a test left something in it. */
static inline int temp_file_remove(const struct temp_file *t)
{
	unlink(t->path);
	return rmdir(t->dir);
}

static inline int remove_tree_entry(const char *path, const struct stat *st, int type,
				    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Removes dir and all in it; for tests that make files whose names they do not keep. */
static inline void remove_tree(const char *dir)
{
	nftw(dir, remove_tree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Replaces the file at path with len bytes of data, which may hold NUL bytes. */
static inline void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline void write_file(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* Unsets every variable in names, a NULL-terminated list. */
static inline void env_unset(const char *const names[])
{
	for (size_t i = 0; names[i]; i++)
		unsetenv(names[i]);
}

/* A loopback port that nothing listens on: one the kernel just handed out and took back. */
static inline int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	close(fd);
	return ntohs(addr.sin_port);
}

/* Waits for the child pid, which must have exited with status 0. */
static inline void wait_ok(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#endif
