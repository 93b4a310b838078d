/* serve.c: placeholder until the server lands. */
#include "intake.h"

#include "err.h"

void intake_serve_defaults(struct intake_serve_options *o)
{
	o->listen = "127.0.0.1:8080";
	o->site = "public";
	o->forms = "content/forms";
	o->spool = "spool";
	o->max_body = 25u * 1024 * 1024;
	o->max_field = 64u * 1024;
	o->max_files = 5;
	o->max_file_size = 10u * 1024 * 1024;
	o->timeout = 15;
	o->max_conns = 256;
	o->rate_per_min = 10;
	o->threads = 0;
	o->quiet = 0;
}

int intake_serve(const struct intake_serve_options *o)
{
	(void)o;
	tc_warnx("serve is not available yet");
	return TC_EXIT_ENV;
}
