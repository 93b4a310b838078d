/*
 * shells.h: the pages sitegen builds for intake to answer with, and the
 * marks in them where intake puts what only it knows. One owner for the
 * contract between the two programs.
 *
 * .threecs/forms/FORM.html holds TC_MARK_FORM where the form goes (intake
 * renders it there with the resident's answers and errors);
 * .threecs/received/FORM.html holds TC_MARK_REFERENCE for the reference.
 *
 * Status pages are the pages intake answers with when it cannot take a
 * request (a form too large, too many forms, a server fault), which
 * sitegen builds from the theme's layouts/status.mustache so that every
 * one of them has the site's header, footer and a way back.
 *
 * sitegen writes each as .threecs/status/NAME.html; intake reads them all
 * with the forms and refuses to start without them. A page may hold
 * TC_STATUS_VALUE once or more, which intake replaces with the page's one
 * figure (a size in MB, a number of files), HTML-escaped.
 */
#ifndef TC_SHELLS_H
#define TC_SHELLS_H

#include <stddef.h>

enum tc_status_page {
	TC_STATUS_UNREADABLE,	   /* 400: the body does not parse */
	TC_STATUS_FORBIDDEN,	   /* 403: a request intake refuses */
	TC_STATUS_METHOD,	   /* 405: not GET, HEAD or POST */
	TC_STATUS_TOO_LARGE,	   /* 413: the whole post; value: MB */
	TC_STATUS_ANSWER_TOO_LONG, /* 413: one answer */
	TC_STATUS_TOO_MANY_FILES,  /* 413: value: files allowed */
	TC_STATUS_FILE_TOO_LARGE,  /* 413: value: MB a file */
	TC_STATUS_UNSUPPORTED,	   /* 415: not a form's encoding */
	TC_STATUS_TOO_MANY_FORMS,  /* 429: the rate limit */
	TC_STATUS_PROBLEM,	   /* 500: a fault on the server */
	TC_STATUS_NOT_SAVED,	   /* 503: the spool could not store it */
	TC_STATUS_EXPIRED,	   /* 410: answers to send are gone */
	TC_STATUS_COUNT
};

#define TC_MARK_FORM	  "<!--threecs:form-->"
#define TC_MARK_REFERENCE "@@REFERENCE@@"

/* Where intake puts a status page's figure. */
#define TC_STATUS_VALUE "<!--threecs:value-->"

/*
 * The copy of what a resident sent: sitegen writes .threecs/copy/FORM.html
 * from the theme's layouts/copy.mustache with TC_MARK_ANSWERS where the
 * answers go, and .threecs/answers.mustache, the theme's partial that
 * intake renders them with (context: reference, received, answers as
 * tc_form_answers gives them). The confirmation page links to the copy at
 * TC_MARK_COPY, which intake replaces with the copy's address.
 */
#define TC_MARK_ANSWERS	    "<!--threecs:answers-->"
#define TC_MARK_COPY	    "@@COPY@@"
#define TC_ANSWERS_TEMPLATE ".threecs/answers.mustache"

/*
 * A form with check_answers: sitegen writes .threecs/check/FORM.html from
 * the theme's layouts/check.mustache, the page where the resident checks
 * their answers (at TC_MARK_ANSWERS, rendered with the answers template,
 * each row with a "change" link) and sends them with a form that posts
 * _send and _draft, whose value intake puts at TC_MARK_DRAFT.
 */
#define TC_MARK_DRAFT "@@DRAFT@@"

/* The page's name ("file-too-large"): its file and, with '_' for '-', the
 * key the layout sees it by (error.file_too_large). */
const char *tc_status_page_name(enum tc_status_page p);
/* Its HTTP status code. */
unsigned tc_status_page_code(enum tc_status_page p);

#endif
