#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_sync_path(const char *path, bool directory, struct lerr *err)
{
	int fd = open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lerr_set(err, "cannot open %s: %s", path, strerror(errno));
	if (fsync(fd) < 0 && !(errno == EINVAL && directory)) {
		int e = errno;
		close(fd);
		return lerr_set(err, "cannot sync %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/* dir has just been created: sync the folder that holds it. */
static int sync_parent(char *dir, struct lerr *err)
{
	char *slash = strrchr(dir, '/');
	if (!slash)
		return fs_sync_path(".", true, err);
	if (slash == dir)
		return fs_sync_path("/", true, err);
	*slash = '\0';
	int rc = fs_sync_path(dir, true, err);
	*slash = '/';
	return rc;
}

int fs_mkdir_parents(const char *path, bool durable, struct lerr *err)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return lerr_set(err, "cannot create folder %.100s...: the path is too long", path);
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		int rc = 0;
		if (mkdir(dir, 0755) == 0)
			rc = durable ? sync_parent(dir, err) : 0;
		else if (errno != EEXIST)
			rc = lerr_set(err, "cannot create folder %s: %s", dir, strerror(errno));
		else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = lerr_set(err, "cannot create folder %s: %s", dir, strerror(ENOTDIR));
		*p = saved;
		if (rc < 0 || saved == '\0')
			return rc;
	}
}
