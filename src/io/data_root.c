#include "io/data_root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(buf, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int data_root_check(const char *root, const char *variable, struct lerr *err)
{
	char probe[PATH_MAX];
	if (root[0] == '\0')
		return lerr_set(err, "%s is empty: set it to a folder", variable);
	if (mkdir_parents(root) < 0)
		return lerr_set(err, "cannot create the data root %s (%s): %s; set %s to a folder "
				"lucht can write", root, variable, strerror(errno), variable);
	if (snprintf(probe, sizeof(probe), "%s/.lucht-probe-%d", root, (int)getpid()) >=
	    (int)sizeof(probe))
		return lerr_set(err, "%s is too long", variable);
	int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return lerr_set(err, "cannot write in the data root %s (%s): %s; set %s to a folder "
				"lucht can write", root, variable, strerror(errno), variable);
	close(fd);
	unlink(probe);
	return 0;
}
