/*
 * intake.h: the intake service's two jobs, serve and bundle, and the spool
 * they share.
 *
 * The spool (folders 0700, files 0600):
 *   spool/tmp/ID/                 a submission being written; never bundled;
 *                                 removed when intake serve starts
 *   spool/ready/ID/submission.json
 *   spool/ready/ID/files/N        attachments 1, 2, ... as uploaded
 *   spool/bundled/BUNDLE_ID/ID/   bundled submissions, kept, never deleted
 *   spool/outbox/ID.json          a confirmation email to send (with
 *                                 --mail-from; ID.json.new until its
 *                                 submission is durable)
 *
 * A submission reaches ready/ only whole: written under tmp/, then the
 * group commit (commit.c) flushes the spool's file system, renames its
 * folder into ready/ and flushes again. Only then does the resident get
 * the 303 and the reference.
 *
 * ID is the resident's reference, a submission ID (model/bundle.h):
 * "K7QXM-3PD9R", made from Crockford's base32 (0-9 A-Z without I L O U).
 */
#ifndef TC_INTAKE_H
#define TC_INTAKE_H

#include <stddef.h>

struct intake_serve_options {
	const char *listen;    /* "127.0.0.1:8080" */
	const char *site;      /* the built site, "public" */
	const char *forms;     /* form definitions, "content/forms" */
	const char *spool;     /* "spool" */
	size_t max_body;       /* bytes in one request body */
	size_t max_field;      /* bytes in one field's value */
	size_t max_files;      /* files in one submission */
	size_t max_file_size;  /* bytes in one file */
	unsigned timeout;      /* seconds a connection may stay idle */
	unsigned max_conns;    /* connections at once */
	unsigned rate_per_min; /* accepted submissions per client a minute */
	unsigned rate_refused; /* refused posts per client a minute; 0: 10x */
	unsigned threads;      /* worker threads; 0: one per CPU */
	unsigned commit_delay; /* microseconds a group commit waits for more */
	int quiet;	       /* no access log */
	const char *user;      /* as root: the user to drop to, required */
	const char *proxy;     /* a trusted reverse proxy's IP address */
	const char *mail_from; /* confirmation emails from this; NULL: none */
};

struct intake_mail_options {
	const char *spool;    /* "spool" */
	const char *sendmail; /* "/usr/sbin/sendmail" */
	int retry_now;	      /* try failed ones again without waiting */
};

struct intake_bundle_options {
	const char *spool;  /* "spool" */
	const char *out;    /* "bundles" */
	const char *source; /* names the intake host in the bundle's name */
	const char *now;    /* UTC time for the name, RFC 3339; NULL: now */
};

/* Defaults for every limit (documented in intake.8). */
void intake_serve_defaults(struct intake_serve_options *o);

/* Runs the server until SIGINT or SIGTERM. Returns an exit code. */
int intake_serve(const struct intake_serve_options *o);

/*
 * Packs spool/ready/ into one bundle. Returns an exit code; prints the
 * bundle's path and the number of submissions (or that there were none).
 */
int intake_bundle(const struct intake_bundle_options *o);

/*
 * Sends the confirmation emails waiting in spool/outbox/ with sendmail
 * (intake.8). Returns an exit code: 0 when none failed.
 */
int intake_mail(const struct intake_mail_options *o);

#endif
