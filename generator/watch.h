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

#endif
