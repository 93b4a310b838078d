/*
 * shells.c: the names and codes of intake's status pages (see
 * shells.h).
 */
#include "shells.h"

static const struct {
	const char *name;
	unsigned code;
} pages[TC_STATUS_COUNT] = {
    [TC_STATUS_UNREADABLE] = {"unreadable", 400},
    [TC_STATUS_FORBIDDEN] = {"forbidden", 403},
    [TC_STATUS_METHOD] = {"method-not-allowed", 405},
    [TC_STATUS_TOO_LARGE] = {"too-large", 413},
    [TC_STATUS_ANSWER_TOO_LONG] = {"answer-too-long", 413},
    [TC_STATUS_TOO_MANY_FILES] = {"too-many-files", 413},
    [TC_STATUS_FILE_TOO_LARGE] = {"file-too-large", 413},
    [TC_STATUS_UNSUPPORTED] = {"unsupported", 415},
    [TC_STATUS_TOO_MANY_FORMS] = {"too-many-forms", 429},
    [TC_STATUS_PROBLEM] = {"problem", 500},
    [TC_STATUS_NOT_SAVED] = {"not-saved", 503},
    [TC_STATUS_EXPIRED] = {"expired", 410},
};

const char *tc_status_page_name(enum tc_status_page p)
{
	return (unsigned)p < TC_STATUS_COUNT ? pages[p].name : "problem";
}

unsigned tc_status_page_code(enum tc_status_page p)
{
	return (unsigned)p < TC_STATUS_COUNT ? pages[p].code : 500;
}
