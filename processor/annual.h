/*
 * annual.h: the annual complaints performance report (casework annual):
 * reports/annual-YEAR.html and .csv (or annual-FROM_TO for a period),
 * anonymised figures only.
 */
#ifndef CW_ANNUAL_H
#define CW_ANNUAL_H

#include "casework.h"

/* The period reported on: received from..to, both included. */
struct cw_period {
	tc_day from;
	tc_day to;
	int year; /* the calendar year, or 0 for another period */
};

/* Writes both files. Returns an exit code (0, or 3 after a message). */
int cw_annual(struct cw_env *env, const struct cw_period *p);

#endif
