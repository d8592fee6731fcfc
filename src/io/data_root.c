#include "io/data_root.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int data_root_check(const char *root, const char *variable, struct lerr *err)
{
	char probe[PATH_MAX];
	if (root[0] == '\0')
		return lerr_set(err, "%s is empty: set it to a folder", variable);
	if (fs_mkdir_parents(root, false, err) < 0)
		return lerr_prefix(err, "data root %s (%s); set it to a folder lucht can write",
				   root, variable);
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
