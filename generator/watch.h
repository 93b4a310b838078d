/*
 * watch.h: rebuild the site whenever a file under its folders changes.
 */
#ifndef TC_WATCH_H
#define TC_WATCH_H

#include "site.h"

/*
 * Builds once, then waits for changes in opt->content and opt->theme
 * (inotify) and rebuilds after each burst of changes, printing what was
 * rebuilt or the errors, until interrupted. Returns TC_EXIT_ENV when
 * watching cannot start.
 */
int site_watch(const struct site_options *opt);

/* The same loop, with build(arg) doing each build (the preview's). */
int site_watch_run(const struct site_options *opt, void (*build)(void *arg),
		   void *arg);

/*
 * sitegen serve: builds into opt->out (with drafts when opt->drafts), serves
 * it on listen (loopback ADDRESS:PORT) for editors, rebuilds on change and
 * has the open page reload itself; a failed build is shown in the browser.
 * Runs until interrupted; returns an exit code when it cannot start.
 */
int site_preview(const struct site_options *opt, const char *listen);

#endif
