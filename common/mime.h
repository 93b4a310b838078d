/*
 * mime.h: the Content-Type of a file the programs serve, by its extension.
 */
#ifndef TC_MIME_H
#define TC_MIME_H

/* The type for name's extension (any case), or application/octet-stream. */
const char *tc_mime_for(const char *name);

#endif
