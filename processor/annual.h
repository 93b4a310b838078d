/*
 * annual.h: the annual complaints performance report (casework annual):
 * reports/annual-YEAR.html and .csv (or annual-FROM_TO for a period),
 * anonymised figures only, and annual-YEAR-self-assessment.csv, the
 * self-assessment against the Complaint Handling Code.
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

/* Writes the files. Returns an exit code: 0; 1 when the council's
 * content/self-assessment.yml has mistakes (each named file:line:col,
 * nothing written); 3 after a message. */
int cw_annual(struct cw_env *env, const struct cw_period *p);

#endif
