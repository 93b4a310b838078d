/*
 * export.h: subject access (casework export): everything held about one
 * person in one zip with an index page.
 */
#ifndef CW_EXPORT_H
#define CW_EXPORT_H

#include "casework.h"

/* Finds the person by any of email, phone, name (NULL for none) and
 * writes out (0600). Returns an exit code. */
int cw_export(struct cw_env *env, const char *email, const char *phone,
	      const char *name, const char *out);

#endif
