/*
 * purge.h: retention (casework purge): the personal data of cases past
 * their retention period (content/rules.yml, retention) is removed from
 * the data folder, keeping the anonymised figures.
 */
#ifndef CW_PURGE_H
#define CW_PURGE_H

#include "casework.h"

/* Lists what is past retention; with act, removes it. Exit code. */
int cw_purge(struct cw_env *env, int act);

#endif
