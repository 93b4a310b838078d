/* bundle.c: placeholder until bundling lands. */
#include "intake.h"

#include "err.h"

int intake_bundle(const struct intake_bundle_options *o)
{
	(void)o;
	tc_warnx("bundle is not available yet");
	return TC_EXIT_ENV;
}
