#include <stdio.h>

int main(void)
{
	puts("lucht " LUCHT_VERSION);
	return 0;
}
